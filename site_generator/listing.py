"""Pages that list records: one paginated list per kind (in the navigation), and the pages of
a record's related records that are too many to show on the record's own page."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from markupsafe import Markup

from catalogue.model.kinds import KINDS
from catalogue.model.records import Record
from site_generator import formatting
from site_generator.downloads import total_size
from site_generator.facts import band_of, carbon_totals, model_formats, place
from site_generator.related import Overflow, by_title, overflow_path, pages_of
from site_generator.render import Links, SiteContext, render, table_of_contents
from site_generator.site import GeneratedPage

LIST_PAGE_SIZE = 50
Cell = Callable[[Record, SiteContext, Links], object]


class Column(NamedTuple):
    title: str
    cell: Cell
    numeric: bool = False


def _name(record: Record, site: SiteContext, links: Links) -> Markup:
    version = record.data.get("version")
    suffix = Markup(' <span class="omh-muted">v{}</span>').format(version) \
        if isinstance(version, str) else Markup("")
    status = Markup(' <span class="omh-status omh-status--{0}">{0}</span>').format(
        record.status) if record.status != "active" else Markup("")
    return links.record(record.id) + suffix + status


def _field(name: str, fmt: Callable[[object], str] = formatting.label) -> Cell:
    return lambda record, _site, _links: fmt(record.data.get(name))


def _organization(record: Record, site: SiteContext, links: Links) -> object:
    org = record.data.get("organization")
    return links.record(org) if isinstance(org, str) else formatting.DASH


def _band(record: Record, site: SiteContext, links: Links) -> object:
    band = band_of(carbon_totals(record, site.carbon), site.carbon)
    if band is None:
        return formatting.DASH
    return Markup('<span class="omh-band omh-band--{}">{}</span> {}').format(
        band.name, band.name, formatting.kg(band.kg))


def _energy(record: Record, site: SiteContext, links: Links) -> object:
    totals = carbon_totals(record, site.carbon)
    return formatting.kwh(totals.kwh) if totals else formatting.DASH


def _size(record: Record, site: SiteContext, links: Links) -> object:
    return formatting.size(total_size(record))


def _formats(record: Record, site: SiteContext, links: Links) -> object:
    return ", ".join(model_formats(record)) or formatting.DASH


def _count(relation: str) -> Cell:
    return lambda record, site, _links: formatting.number(
        len(site.catalogue.graph.related(record.id, relation)))


def _affiliations(record: Record, site: SiteContext, links: Links) -> object:
    ids = site.catalogue.graph.related(record.id, "affiliations")[:3]
    return links.records(ids) if ids else formatting.DASH


def _place(record: Record, site: SiteContext, links: Links) -> object:
    return place(record.data.get("location"))


COLUMNS: dict[str, list[Column]] = {
    "model": [Column("Model", _name), Column("Framework", _field("framework")),
              Column("Type", _field("model_type")), Column("Format", _formats),
              Column("Size", _size, True), Column("Licence", _field("license", str)),
              Column("Organisation", _organization), Column("Training carbon", _band)],
    "dataset": [Column("Dataset", _name), Column("Format", _field("format")),
                Column("Records", _field("num_records", formatting.number), True),
                Column("Size", _size, True), Column("Licence", _field("license", str)),
                Column("Access", _field("access_rights")),
                Column("Organisation", _organization)],
    "experiment": [Column("Experiment", _name), Column("Type", _field("experiment_type")),
                   Column("Run status", _field("experiment_status")),
                   Column("Duration", _field("duration_seconds", formatting.duration), True),
                   Column("Energy", _energy, True), Column("Carbon", _band),
                   Column("Organisation", _organization)],
    "resource": [Column("Resource", _name), Column("Type", _field("resource_type")),
                 Column("Location", _place), Column("GPUs", _field("gpu_count",
                                                                   formatting.number), True),
                 Column("Experiments", _count("used_by"), True), Column("Energy", _energy, True),
                 Column("Carbon", _band)],
    "researcher": [Column("Researcher", _name), Column("Affiliations", _affiliations),
                   Column("Assets", _count("created"), True)],
    "organization": [Column("Organisation", _name),
                     Column("Type", _field("organization_type")), Column("Location", _place),
                     Column("Members", _count("members"), True),
                     Column("Assets", _count("published"), True)],
}


def list_path(kind: str, page: int = 1) -> str:
    folder = KINDS[kind].folder
    return f"{folder}/" if page == 1 else f"{folder}/page/{page}/"


def _latest(records: list[Record]) -> str | None:
    dates = [d for d in (formatting.day(r.data.get("updated_at")) or formatting.day(
        r.data.get("created_at")) for r in records) if d]
    return max(dates) if dates else None


def kind_pages(site: SiteContext, kind: str) -> list[GeneratedPage]:
    """The kind's list, ``LIST_PAGE_SIZE`` records a page, by title."""
    records = site.catalogue.of_kind(kind)
    ids = tuple(by_title(site.catalogue, (r.id for r in records)))
    chunks = pages_of(ids, LIST_PAGE_SIZE)
    label = KINDS[kind].plural_label
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        here = list_path(kind, number)
        html = render("list.html", site, here, kind=kind, title=label, ids=chunk,
                      columns=COLUMNS[kind], total=len(ids), number=number, count=len(chunks),
                      first=(number - 1) * LIST_PAGE_SIZE + 1,
                      page_url=lambda n, k=kind: list_path(k, n))
        pages.append(GeneratedPage(
            here, label if number == 1 else f"{label} (page {number})", html,
            tuple(table_of_contents(html)), description=f"{label} in the catalogue",
            date=_latest(records), searchable=False))
    return pages


def overflow_pages(site: SiteContext, overflow: Overflow) -> list[GeneratedPage]:
    pages = []
    for request in overflow.requests:
        owner = request.owner
        kind = request.ids[0].split("/", 1)[0] if request.ids else owner.kind.folder
        columns = next((COLUMNS[k.name] for k in KINDS.values() if k.folder == kind),
                       COLUMNS[owner.kind.name])
        chunks = pages_of(request.ids)
        date = formatting.day(owner.data.get("updated_at")) or formatting.day(
            owner.data.get("created_at"))
        for number, chunk in enumerate(chunks, start=1):
            here = overflow_path(owner.id, request.key, number)
            title = f"{request.title}: {owner.title}"
            html = render("related.html", site, here, owner=owner, title=request.title,
                          ids=chunk, columns=columns, total=len(request.ids), number=number,
                          count=len(chunks), first=(number - 1) * len(chunks[0]) + 1,
                          page_url=lambda n, o=owner.id, k=request.key: overflow_path(o, k, n))
            pages.append(GeneratedPage(here, title if number == 1 else
                                       f"{title} (page {number})", html,
                                       tuple(table_of_contents(html)), date=date,
                                       searchable=False))
    return pages
