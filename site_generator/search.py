"""The site's search: what the Pagefind indexer is given for each record, and the search page.

Each record page (except a deleted record's) gets an index document (``index_html``): its search
view (``templates/search.html``: title, description, key facts and card; the same view MkDocs
Material's search was given) plus a hidden block of

* **filters** (the facets): kind, task, model type, framework, dataset format, programming
  language, licence, organisation, access rights, status, year, carbon band and ONNX parity
  status (each kind's own facets are its entry in ``kind_views``);
* **sorts**: creation date, name and carbon footprint, each a *sort key* that ends with the
  page's path, so that no two pages tie and every index orders them the same way (the search
  page merges the results of several indexes, ``search_shards``, by these keys, which it reads
  from the metadata field of the same name);
* **meta**: what a result shows besides its title: kind, status, version, date, description
  and the key facts of the kind's list page.

``pagefind_index`` writes these documents where the pages are and lets Pagefind index them into
the site, whose pages stay as they are. Filter values are the labels people read (``PyTorch``,
``Image folder``), so the search page's address (``search/?q=climate&framework=PyTorch``) reads
well and can be shared.

What is indexed is prose, so that a result's excerpt reads as text:

* code blocks and a card's citation section are left out (``data-pagefind-ignore``); the
  identifiers a reader may paste (the record's id, its persistent identifier, its file names)
  stay searchable as a metadata field, which is never an excerpt;
* words of one character weigh nothing (``data-pagefind-weight="0"``; they stay in the text
  of excerpts), nor do the metadata fields that only serve the display of a result (``RANKING``),
  and the search page drops results that score nothing: when no indexed word begins with a
  query's word, Pagefind falls back to the longest indexed word that begins it, and the "x" of
  "224 x 224" or the article "a" would otherwise match a query such as ``xyzzynothing``;
* the name is the heaviest text of the document, weighted like a short field in BM25F (the
  fewer words a name has, the more a match in it says), so that an asset whose name matches
  ranks above those that only mention it; a deprecated record's text weighs half.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from markupsafe import Markup

from catalogue.link.catalogue import Catalogue
from catalogue.model.dates import year_of
from catalogue.model.kinds import KINDS
from catalogue.model.lifecycle import DELETED, DEPRECATED
from catalogue.model.pointers import record_pointers
from catalogue.model.records import Record
from site_generator import formatting
from site_generator.columns import Column
from site_generator.facts import band_of, carbon_totals
from site_generator.kind_views import PARITY_LABELS, VIEWS
from site_generator.markdown_safety import RenderedCard
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


DISPLAY_META = ("kind", "status", "version", "date", "description", "facts")
"""Metadata fields a result shows; searchable like every Pagefind field, they add nothing to a
score (their words are in the document's text anyway)."""
NAME_WEIGHT = 10.0
"""The weight of a one-word name (Pagefind's largest); a name of n words weighs
``NAME_WEIGHT / sqrt(n)``, like the length norm of a short field."""
DEPRECATED_WEIGHT = 0.5
_PRE = re.compile(r"<pre\b")
_CITATION = re.compile(r'<h([1-6]) id="card-(?:citation|how-to-cite|cite|bibtex)\b[^"]*"')
_HEADING = re.compile(r"<h([1-6])\b")
_TEXT = re.compile(r"(<[^>]*>)")
_ONE_CHARACTER_WORD = re.compile(r"(?<!\S)[^\w\s<]*[^\W_][^\w\s<]*(?!\S)")


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

    @property
    def meta(self) -> str:
        return sort_meta(self.field)


def sort_meta(field: str) -> str:
    """The metadata field that repeats a page's sort key, for the search page to merge the
    sorted results of several indexes (Pagefind gives a result's metadata, not its sort
    value)."""
    return f"sort_{field}"


SORTS = (
    Sort("newest", "Newest first", "date", "desc"),
    Sort("name", "Name, A to Z", "name", "asc"),
    Sort("carbon", "Lowest carbon footprint first", "carbon", "asc"),
)
RANKING: dict[str, Any] = {
    "pageLength": 0.3, "termFrequency": 0.8,
    "metaWeights": {"title": 5.0, "identifiers": 1.0, **dict.fromkeys(DISPLAY_META, 0.0),
                    **{sort.meta: 0.0 for sort in SORTS}},
}
"""Pagefind's ranking settings (``pageLength`` 0.75 and ``termFrequency`` 1.0 by default): a
long card weighs less against a short one, so that a model with a thorough card is not ranked
below a sparse one. The sort keys weigh nothing either."""


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
NO_CARBON = "~"
"""After every footprint (``~`` sorts after digits)."""
CARBON_DIGITS = 20
"""A footprint's width in its sort key: kilograms with six decimals, zero-padded, so that the
keys' text order is the footprints' numeric order (up to 10^13 kg)."""
KEY_END = "\x1f"
"""Between a sort value and the page path that ends its key: below every character a value can
hold (a name is split on whitespace, which includes this one), so that a value that begins
another sorts before it ("model" before "model (beta)"), as it would alone."""


def sort_values(record: Record, site: SiteContext) -> list[tuple[str, str]]:
    """Every record has every sort (Pagefind leaves a page without it out of the sorted
    results); one without a date or a footprint comes last. Each sort adds the order of every
    page to the index's metadata, which every search fetches: there is no "highest carbon
    first" (the carbon dashboard ranks the largest footprints).

    Each value ends with the record page's path (``KEY_END``): Pagefind orders the pages whose
    values are equal by the order it found their files in, which no other index shares. Every
    key is text (Pagefind compares text by code points) and unique."""
    totals = carbon_totals(record, site.carbon)
    carbon = f"{max(totals.kg, 0.0):0{CARBON_DIGITS}.6f}" \
        if totals is not None and totals.runs else NO_CARBON
    values = [("name", " ".join(record.title.casefold().split())),
              ("date", formatting.day(record.data.get("created_at")) or NO_DATE),
              ("carbon", carbon)]
    return [(field, f"{value}{KEY_END}{record.id}/") for field, value in values]


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
    sorts = sort_values(record, site)
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
                                     separators=(",", ":"), allow_nan=False)))
    meta += [(sort_meta(field), key) for field, key in sorts]
    return SearchEntry(tuple(facet_values(record, site)), tuple(sorts), tuple(meta))


def card_prose(html: str) -> Markup:
    """The card's HTML with its code blocks and citation section marked to be left out of
    the index (the card is nh3's output: every tag well formed and lower-case)."""
    found = _CITATION.search(html)
    if found is not None:
        level = int(found.group(1))
        end = next((h.start() for h in _HEADING.finditer(html, found.end())
                    if int(h.group(1)) <= level), len(html))
        html = (f"{html[:found.start()]}<div data-pagefind-ignore>{html[found.start():end]}"
                f"</div>{html[end:]}")
    return Markup(_PRE.sub("<pre data-pagefind-ignore", html))


def one_character_words_weightless(html: str) -> str:
    """``html`` with each word of one letter or digit (and its punctuation: "a", "x", "A.")
    in its text, never in its tags, weighing nothing in the index (see the module's
    docstring)."""
    return "".join(
        part if part.startswith("<") else _ONE_CHARACTER_WORD.sub(
            lambda m: f'<span data-pagefind-weight="0">{m.group(0)}</span>', part)
        for part in _TEXT.split(html))


def weights(record: Record) -> tuple[float, float]:
    """(name, rest of the document) weights of the record's index document."""
    words = max(1, len(record.title.split()))
    factor = DEPRECATED_WEIGHT if record.status == DEPRECATED else 1.0
    return round(NAME_WEIGHT / math.sqrt(words) * factor, 2), factor


def identifiers(record: Record) -> str:
    """What a reader may paste to find the record: its id, persistent identifier and files."""
    values = [record.id]
    pid = record.data.get("persistent_identifier")
    if isinstance(pid, str):
        values.append(pid)
    values += [pointer.name for _, pointer, _ in record_pointers(record) if pointer is not None]
    return " ".join(dict.fromkeys(values))


def search_view(record: Record, site: SiteContext, here: str, card: RenderedCard | None,
                columns: tuple[Column, ...]) -> str:
    """What the record's index document holds (``templates/search.html``)."""
    name_weight, body_weight = weights(record)
    return render("search.html", site, here, record=record, data=record.data,
                  card_html=card_prose(card.html) if card is not None else None,
                  columns=columns, name_weight=name_weight, body_weight=body_weight)


def searched(record: Record) -> bool:
    """Whether the record's page has an index document: a deleted record keeps its page (for
    citations) but is no longer offered by the search."""
    return record.status != DELETED


def searched_pages(catalogue: Catalogue) -> list[str]:
    """The paths of the pages that have an index document (``indexed_page``)."""
    return [f"{record.id}/" for record in catalogue.records.values() if searched(record)]


def indexed_page(page: GeneratedPage, record: Record, site: SiteContext) -> GeneratedPage:
    """The record's page with its index document, when it is searched."""
    if not searched(record):
        return page
    view = page.search_html if page.search_html is not None else page.html
    document = render("search_document.html", site, page.path, title=record.title,
                      entry=search_entry(record, site), identifiers=identifiers(record),
                      view=Markup(one_character_words_weightless(view)),
                      every_record=EVERY_RECORD)
    return replace(page, index_html=document)


def search_config(here: str, bundles: Sequence[str]) -> dict[str, Any]:
    """What the search page's script is told: the places of the index's bundles (one per
    shard, ``search_shards``; paths from the site root), facets and sorts."""
    return {
        "bundles": ["../" * here.count("/") + bundle for bundle in bundles],
        "pageSize": RESULTS_PER_PAGE,
        "everyRecord": EVERY_RECORD,
        "facets": [{"key": f.key, "title": f.title, "order": f.order, "values": list(f.values)}
                   for f in FACETS],
        "sorts": {s.key: {"field": s.field, "direction": s.direction, "meta": s.meta}
                  for s in SORTS},
        "ranking": RANKING,
    }


def search_page(site: SiteContext, bundles: Sequence[str]) -> GeneratedPage:
    config = Markup(json.dumps(search_config(SEARCH_PATH, bundles), sort_keys=True).replace(
        "<", "\\u003c"))
    html = render("search_page.html", site, SEARCH_PATH, facets=FACETS, sorts=SORTS,
                  config=config)
    return GeneratedPage(SEARCH_PATH, "Search", html, tuple(table_of_contents(html)),
                         description="Search the catalogue's " + ", ".join(
                             kind.plural_label.lower() for kind in KINDS.values()),
                         scripts=frozenset({SEARCH}), searchable=False)
