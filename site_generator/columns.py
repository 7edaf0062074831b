"""The columns of the record tables (the list of a kind, a record's related records, a search
result's key facts): each a title and a cell that renders one record's value."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from markupsafe import Markup

from catalogue.model.records import Record
from site_generator import formatting
from site_generator.downloads import total_size
from site_generator.facts import band_of, carbon_totals, model_formats, place
from site_generator.formatting import markup
from site_generator.render import Links, SiteContext

Cell = Callable[[Record, SiteContext, Links], object]


class Column(NamedTuple):
    title: str
    cell: Cell
    numeric: bool = False


def name(record: Record, site: SiteContext, links: Links) -> Markup:
    version = record.data.get("version")
    suffix = markup(' <span class="omh-muted">v{}</span>', version) \
        if isinstance(version, str) else Markup("")
    status = markup(' <span class="omh-status omh-status--{0}">{0}</span>',
        record.status) if record.status != "active" else Markup("")
    return links.record(record.id, record.title) + suffix + status


def field(key: str, fmt: Callable[[object], str] = formatting.label) -> Cell:
    return lambda record, _site, _links: fmt(record.data.get(key))


def text(key: str) -> Cell:
    """The field as written (a licence, a language), or a dash."""
    def cell(record: Record, site: SiteContext, links: Links) -> object:
        value = record.data.get(key)
        return value if isinstance(value, str) and value.strip() else formatting.DASH
    return cell


def organization(record: Record, site: SiteContext, links: Links) -> object:
    org = record.data.get("organization")
    return links.record(org) if isinstance(org, str) else formatting.DASH


def band(record: Record, site: SiteContext, links: Links) -> object:
    found = band_of(carbon_totals(record, site.carbon), site.carbon)
    if found is None:
        return formatting.DASH
    return markup('<span class="omh-band omh-band--{}">{}</span> {}',
        found.name, found.name, formatting.kg(found.kg))


def energy(record: Record, site: SiteContext, links: Links) -> object:
    totals = carbon_totals(record, site.carbon)
    return formatting.kwh(totals.kwh) if totals else formatting.DASH


def size(record: Record, site: SiteContext, links: Links) -> object:
    return formatting.size(total_size(record))


def formats(record: Record, site: SiteContext, links: Links) -> object:
    return ", ".join(model_formats(record)) or formatting.DASH


def count(relation: str) -> Cell:
    return lambda record, site, _links: formatting.number(
        len(site.catalogue.graph.related(record.id, relation)))


def affiliations(record: Record, site: SiteContext, links: Links) -> object:
    ids = site.catalogue.graph.related(record.id, "affiliations")[:3]
    return links.records(ids) if ids else formatting.DASH


def location(record: Record, site: SiteContext, links: Links) -> object:
    return place(record.data.get("location"))
