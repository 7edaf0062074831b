"""The site's search: what the Pagefind indexer is given for each record, and the search page.

Each record page (except a deleted record's) gets an index document (``index_html``): its search
view (``templates/search.html``: title, description, key facts and card; the same view MkDocs
Material's search was given) plus a hidden block of

* **filters** (the facets): kind, task, model type, framework, dataset format, programming
  language, licence, organisation, access rights, status, year, carbon band and ONNX parity
  status (each kind's own facets are its entry in ``kind_views``);
* **sorts**: creation date, name and carbon footprint;
* **meta**: what a result shows besides its title: kind, status, version, date, description
  and the key facts of the kind's list page.

``pagefind_index`` writes these documents where the pages are and lets Pagefind index them into
the site, whose pages stay as they are. Filter values are the labels people read (``PyTorch``,
``Image folder``), so the search page's address (``search/?q=climate&framework=PyTorch``) reads
well and can be shared.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, NamedTuple

from markupsafe import Markup

from catalogue.model.dates import year_of
from catalogue.model.kinds import KINDS
from catalogue.model.records import Record
from site_generator import formatting
from site_generator.facts import band_of, carbon_totals
from site_generator.kind_views import PARITY_LABELS, VIEWS
from site_generator.render import Links, SiteContext, render, table_of_contents
from site_generator.site import SEARCH, GeneratedPage

SEARCH_PATH = "search/"
BUNDLE_FOLDER = "pagefind"
"""Where Pagefind writes its script, WebAssembly and index chunks, from the site root."""
RESULTS_PER_PAGE = 20
EVERY_RECORD = "omhrecord"
"""A word every index document has: the search page looks it up to list every record the
chosen filters allow when there is no query. Pagefind's own query-less search (``null``) would
fetch every chunk of the word index, the whole index, on a large catalogue."""


class Facet(NamedTuple):
    key: str
    """The Pagefind filter name, and the parameter in the search page's address."""
    title: str
    order: str = "count"
    """How values are listed: ``count`` (most results first), ``desc`` (years, newest first)
    or ``fixed`` (in the order of ``values``)."""
    values: tuple[str, ...] = ()


FACETS = (
    Facet("kind", "Kind"),
    Facet("task", "Task"),
    Facet("type", "Model type"),
    Facet("framework", "Framework"),
    Facet("format", "Dataset format"),
    Facet("language", "Programming language"),
    Facet("license", "Licence"),
    Facet("organization", "Organisation"),
    Facet("access", "Access rights"),
    Facet("status", "Status", "fixed", ("Active", "Deprecated")),
    Facet("year", "Year", "desc"),
    Facet("carbon", "Carbon band", "fixed", ("Low", "Medium", "High")),
    Facet("parity", "ONNX parity", "fixed", (*PARITY_LABELS.values(),)),
)


class Sort(NamedTuple):
    key: str
    """The URL value (``sort=newest``)."""
    title: str
    field: str
    """The Pagefind sort the pages carry."""
    direction: str


SORTS = (
    Sort("newest", "Newest first", "date", "desc"),
    Sort("name", "Name, A to Z", "name", "asc"),
    Sort("carbon", "Lowest carbon footprint first", "carbon", "asc"),
)


class SearchEntry(NamedTuple):
    filters: tuple[tuple[str, str], ...]
    sorts: tuple[tuple[str, str], ...]
    meta: tuple[tuple[str, str], ...]


def _label(value: object) -> str | None:
    return formatting.label(value) if isinstance(value, str) and value.strip() else None


def _year(record: Record) -> str | None:
    year = year_of(record.data.get("created_at"))
    return str(year) if year else None


def _organizations(record: Record, site: SiteContext) -> list[str]:
    """The organisation that published an asset or runs a resource; a researcher's
    affiliations."""
    ids = [record.data.get("organization"),
           *site.catalogue.graph.related(record.id, "affiliations")]
    return [site.catalogue.title_of(i) for i in ids if isinstance(i, str)]


FACET_ORDER = {facet.key: position for position, facet in enumerate(FACETS)}


def facet_values(record: Record, site: SiteContext) -> list[tuple[str, str]]:
    """(facet key, value) pairs of a record, in ``FACETS`` order: the facets every record
    has, and its kind's own."""
    data = record.data
    band = band_of(carbon_totals(record, site.carbon), site.carbon)
    values: list[tuple[str, str | None]] = [
        ("kind", record.kind.label),
        ("license", data.get("license") if isinstance(data.get("license"), str) else None),
        *(("organization", name) for name in _organizations(record, site)),
        ("access", _label(data.get("access_rights"))),
        ("status", formatting.label(record.status)),
        ("year", _year(record)),
        ("carbon", formatting.label(band.name) if band else None),
        *VIEWS[record.kind.name].facets(record, site),
    ]
    values.sort(key=lambda pair: FACET_ORDER[pair[0]])
    return [(key, " ".join(value.split())) for key, value in dict.fromkeys(values)
            if value and value.strip()]


NO_DATE = "0000-00-00"
NO_CARBON = "1e15"


def sort_values(record: Record, site: SiteContext) -> list[tuple[str, str]]:
    """Every record has every sort (Pagefind leaves a page without it out of the sorted
    results); one without a date or a footprint comes last. Each sort adds the order of every
    page to the index's metadata, which every search fetches: there is no "highest carbon
    first" (the carbon dashboard ranks the largest footprints)."""
    totals = carbon_totals(record, site.carbon)
    return [("name", " ".join(record.title.casefold().split())),
            ("date", formatting.day(record.data.get("created_at")) or NO_DATE),
            ("carbon", f"{totals.kg:.6f}" if totals is not None and totals.runs else NO_CARBON)]


def key_facts(record: Record, site: SiteContext) -> list[tuple[str, str]]:
    """The kind's list-page columns as (title, text): what a result shows under its title."""
    links = Links(site, f"{record.id}/")
    facts = []
    for column in VIEWS[record.kind.name].columns[1:]:
        text = " ".join(Markup(str(column.cell(record, site, links))).striptags().split())
        if text and text != formatting.DASH:
            facts.append((column.title, text))
    return facts


def search_entry(record: Record, site: SiteContext) -> SearchEntry:
    meta = [("title", record.title), ("kind", record.kind.label), ("status", record.status)]
    description = record.data.get("description")
    if isinstance(description, str) and description.strip():
        meta.append(("description", formatting.truncate(description, 240)))
    version = record.data.get("version")
    if isinstance(version, str):
        meta.append(("version", version))
    created = record.data.get("created_at")
    if formatting.day(created):
        meta.append(("date", formatting.date(created)))
    meta.append(("facts", json.dumps(key_facts(record, site), ensure_ascii=False,
                                     separators=(",", ":"))))
    return SearchEntry(tuple(facet_values(record, site)), tuple(sort_values(record, site)),
                       tuple(meta))


def indexed_page(page: GeneratedPage, record: Record, site: SiteContext) -> GeneratedPage:
    """The record's page with its index document; a deleted record keeps its page (for
    citations) but is no longer offered by the search."""
    if record.status == "deleted":
        return page
    document = render("search_document.html", site, page.path, title=record.title,
                      entry=search_entry(record, site),
                      view=Markup(page.search_html if page.search_html is not None
                                  else page.html), every_record=EVERY_RECORD)
    return replace(page, index_html=document)


def search_config(here: str) -> dict[str, Any]:
    """What the search page's script is told: the bundle's place, facets and sorts."""
    return {
        "bundle": "../" * here.count("/") + BUNDLE_FOLDER + "/",
        "pageSize": RESULTS_PER_PAGE,
        "everyRecord": EVERY_RECORD,
        "facets": [{"key": f.key, "title": f.title, "order": f.order, "values": list(f.values)}
                   for f in FACETS],
        "sorts": {s.key: {"field": s.field, "direction": s.direction} for s in SORTS},
    }


def search_page(site: SiteContext) -> GeneratedPage:
    config = Markup(json.dumps(search_config(SEARCH_PATH), sort_keys=True).replace(
        "<", "\\u003c"))
    html = render("search_page.html", site, SEARCH_PATH, facets=FACETS, sorts=SORTS,
                  config=config)
    return GeneratedPage(SEARCH_PATH, "Search", html, tuple(table_of_contents(html)),
                         description="Search the catalogue's " + ", ".join(
                             kind.plural_label.lower() for kind in KINDS.values()),
                         scripts=frozenset({SEARCH}), searchable=False)
