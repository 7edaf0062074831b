"""One page per record.

The common part (status notice, files, card, lineage, versions, citation, exports) is built
once in ``record_page``; the kind's entry in the site's per-kind table (``kind_views``) names
its template and the function that adds its own sections (``record_contexts``).
"""

from __future__ import annotations

from markupsafe import Markup

from catalogue.load.artefacts import local_file
from catalogue.model.pointers import ArtefactError
from catalogue.model.records import Record
from catalogue.standards.citations import citation_for, plain_text
from catalogue.standards.jsonld import script_json
from catalogue.standards.urls import doi_url
from site_generator import formatting
from site_generator.downloads import PublishedFile, access, downloads, is_reserved
from site_generator.exports_view import page_exports
from site_generator.facts import band_of, carbon_totals
from site_generator.kind_views import VIEWS, lineage_graph
from site_generator.markdown_safety import RenderedCard, card_body, render_card
from site_generator.related import Overflow
from site_generator.render import SiteContext, render, table_of_contents
from site_generator.site import CHART, MERMAID, GeneratedPage

VERSION_CHAIN_LIMIT = 10


def version_chain(record: Record, site: SiteContext) -> list[str]:
    """The versions before this one, newest first (at most ``VERSION_CHAIN_LIMIT``)."""
    chain: list[str] = []
    current = record
    while len(chain) < VERSION_CHAIN_LIMIT:
        parent = current.data.get("parent_version")
        if not isinstance(parent, str) or parent in chain or parent == record.id:
            break
        chain.append(parent)
        next_record = site.catalogue.get(parent)
        if next_record is None:
            break
        current = next_record
    return chain


def _card(record: Record, reserved: set[str]) -> tuple[RenderedCard | None, str | None]:
    text, problem = card_body(record.card)
    if text is None:
        return None, problem
    card = render_card(text, record.folder, allow_files=record.status != "deleted")
    kept = tuple(f for f in card.files if not is_reserved(f.path, reserved))
    if len(kept) != len(card.files):  # a reserved name: render again without those files
        card = render_card(text, record.folder, allow_files=record.status != "deleted",
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


def record_page(record: Record, site: SiteContext,
                overflow: Overflow) -> tuple[GeneratedPage, list[PublishedFile]]:
    """The record's page and the files published beside it."""
    catalogue = site.catalogue
    exports = page_exports(record, site.linked)
    reserved = set(exports.files)
    card, card_problem = _card(record, reserved)
    rows, files = downloads(record, site.base_url, reserved)
    view = VIEWS[record.kind.name]
    lineage = lineage_graph(record, catalogue)
    context = view.context(record, site, overflow)
    files += context.pop("extra_files", [])
    parity = context.get("parity")
    if parity is not None and parity.report_file and record.status != "deleted":
        files += evidence_file(record, parity.report_file)
    if card is not None:
        files += [PublishedFile(f"{record.id}/{f.path}", source=f.source) for f in card.files]
    files += [PublishedFile(f"{record.id}/{name}", content=content.encode("utf-8"))
              for name, content in exports.files.items()]
    here = f"{record.id}/"
    pid = record.data.get("persistent_identifier")
    html = render(
        view.template, site, here,
        record=record, data=record.data, access=access(record), downloads=rows, card=card,
        card_problem=card_problem, lineage=lineage,
        mermaid=lineage.mermaid() if lineage else None,
        citation=plain_text(citation_for(record, catalogue)) if record.kind.is_asset else None,
        quality=site.quality.get(record.id),
        exports=exports, exports_json=Markup(script_json(exports.jsonld))
        if exports.jsonld else None, export_names=sorted(exports.files),
        versions=version_chain(record, site),
        next_versions=overflow.related(record, "next-versions", "Newer versions",
                                       catalogue.graph.related(record.id, "next_versions")),
        replaces=overflow.related(record, "replaces", "Records it replaces",
                                  catalogue.graph.related(record.id, "replaces")),
        pid_url=doi_url(pid) if isinstance(pid, str) else None,
        band=band_of(carbon_totals(record, site.carbon), site.carbon),
        **context)
    scripts = {MERMAID} if lineage else set()
    if context.get("charts"):
        scripts.add(CHART)
    search_html = render("search.html", site, here, record=record, data=record.data,
                         card=card, columns=view.columns)
    page = GeneratedPage(
        here, record.title, html, tuple(table_of_contents(html)),
        description=formatting.truncate(record.data.get("description") or record.title, 300),
        date=record_date(record), scripts=frozenset(scripts), search_html=search_html)
    return page, files
