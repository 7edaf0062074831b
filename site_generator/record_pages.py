"""One page per record.

The common part (first screen with its Download, Cite, Use and Metadata menus, status notice,
files, card, lineage, versions, citation, exports) is built once in ``record_page``; the kind's
entry in the site's per-kind table (``kind_views``) names its template and the function that
adds its own sections (``record_contexts``).
"""

from __future__ import annotations

import re

from markupsafe import Markup

from catalogue.load.artefacts import local_file
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import ArtefactError
from catalogue.model.records import Record
from catalogue.standards.citations import citation_for, plain_text
from catalogue.standards.jsonld import script_json
from catalogue.standards.urls import doi_url, page_url
from site_generator import formatting
from site_generator.columns import Column
from site_generator.downloads import PublishedFile, access, downloads, is_reserved
from site_generator.exports_view import page_exports
from site_generator.facts import band_of, carbon_totals, versioned_title
from site_generator.kind_views import VIEWS, lineage_graph
from site_generator.listing import list_path
from site_generator.markdown_safety import RenderedCard, card_body, render_card
from site_generator.record_actions import record_actions
from site_generator.record_zip import record_zip, zip_name
from site_generator.related import Overflow
from site_generator.render import Links, SiteContext, render, table_of_contents
from site_generator.search import search_view
from site_generator.site import CHART, GeneratedPage
from site_generator.versions import newer_version, version_chain


def _card(record: Record, reserved: set[str]) -> tuple[RenderedCard | None, str | None]:
    text, problem = card_body(record.card)
    if text is None:
        return None, problem
    card = render_card(text, record.folder, allow_files=record.status != DELETED)
    kept = tuple(f for f in card.files if not is_reserved(f.path, reserved))
    if len(kept) != len(card.files):  # a reserved name: render again without those files
        card = render_card(text, record.folder, allow_files=record.status != DELETED,
                           exclude={f.path for f in card.files} - {f.path for f in kept})
    return card, None


def evidence_file(record: Record, name: str) -> list[PublishedFile]:
    """The parity report, published beside the page when it is a file inside the folder."""
    try:
        return [PublishedFile(f"{record.id}/{name}", source=local_file(record.folder, name))]
    except ArtefactError:
        return []


def record_date(record: Record) -> str | None:
    return formatting.day(record.data.get("updated_at")) or formatting.day(
        record.data.get("created_at"))


def key_facts(record: Record, site: SiteContext, links: Links,
              columns: tuple[Column, ...]) -> list[tuple[str, object]]:
    """The first screen's facts: the columns of the kind's list (a search result's facts too),
    and the date."""
    facts = [(column.title, column.cell(record, site, links)) for column in columns]
    created = record.data.get("created_at")
    if created:
        facts.append(("Created", formatting.date(created)))
    return [(title, value) for title, value in facts
            if value not in (None, "", formatting.DASH)]


def card_outline(record: Record) -> list[str]:
    """The card's section titles (its second-level headings), as plain text."""
    card = record.card
    return [" ".join(re.sub(r"[*_`#\[\]]", "", h.text).split())
            for h in (card.headings if card is not None else ()) if h.level == 2]


def record_page(record: Record, site: SiteContext,
                overflow: Overflow) -> tuple[GeneratedPage, list[PublishedFile]]:
    """The record's page and the files published beside it."""
    catalogue = site.catalogue
    exports = page_exports(record, site.linked)
    reserved = {*exports.files, zip_name(record)}
    card, card_problem = _card(record, reserved)
    rows, files = downloads(record, site.base_url, reserved)
    view = VIEWS[record.kind.name]
    lineage = lineage_graph(record, catalogue)
    context = view.context(record, site, overflow)
    files += context.pop("extra_files", [])
    parity = context.get("parity")
    if parity is not None and parity.report_file and record.status != DELETED:
        files += evidence_file(record, parity.report_file)
    if card is not None:
        files += [PublishedFile(f"{record.id}/{f.path}", source=f.source) for f in card.files]
    files += [PublishedFile(f"{record.id}/{name}", content=content.encode("utf-8"))
              for name, content in exports.files.items()]
    here = f"{record.id}/"
    links = Links(site, here)
    record_access = access(record)
    bundle_count = len({f.path for f in files if f.path.startswith(here)})
    bundle = record_zip(record, files, record_date(record)) if record_access.allowed else None
    if bundle is not None:
        files.append(bundle)
    citation = plain_text(citation_for(record, catalogue)) if record.kind.is_asset else None
    pid = record.data.get("persistent_identifier")
    chain = version_chain(record, catalogue)
    html = render(
        view.template, site, here,
        record=record, data=record.data, access=record_access, downloads=rows, card=card,
        card_problem=card_problem, lineage=lineage,
        lineage_svg=lineage.svg(links.record_url, f"Lineage of {versioned_title(record)}")
        if lineage else None,
        citation=citation, quality=site.quality.get(record.id),
        reproducibility=site.analyses.reproducibility.get(record.id),
        actions=record_actions(record, rows, record_access, page_url(site.base_url, record.id),
                               bundle, bundle_count, citation, exports,
                               context.get("repository_url")) if record.kind.is_asset else None,
        exports=exports, exports_json=Markup(script_json(exports.jsonld))
        if exports.jsonld else None, export_names=sorted(exports.files),
        versions=chain, newer=newer_version(chain),
        key_facts=key_facts(record, site, links, view.columns[1:]),
        card_outline=card_outline(record) if card is not None else [],
        replaces=overflow.related(record, "replaces", "Records it replaces",
                                  catalogue.graph.related(record.id, "replaces")),
        pid_url=doi_url(pid) if isinstance(pid, str) else None,
        band=band_of(carbon_totals(record, site.carbon), site.carbon),
        **context)
    scripts = {CHART} if context.get("charts") else set()
    search_html = search_view(record, site, here, card, view.columns)
    page = GeneratedPage(
        here, f"{versioned_title(record)} \u00b7 {record.kind.label}", html,
        tuple(table_of_contents(html)),
        description=formatting.truncate(record.data.get("description") or record.title, 300),
        date=record_date(record), scripts=frozenset(scripts), search_html=search_html,
        section=list_path(record.kind.name), head=exports.head)
    return page, files
