"""Machine-readable metadata beside each record's page: the record's JSON-LD, embedded in the
page (template block ``jsonld`` of ``record.html``; a dataset's is its Croissant), its export
files (``metadata.jsonld``, ``croissant.json``, ``dcat.jsonld``, ``datacite.xml``, citations),
published at ``/<kind folder>/<slug>/<name>`` and listed on the page, and what the page's
head says about them: ``<link rel="describedby">`` to each file, ``citation_*`` meta tags for
Google Scholar and Zotero, and OpenGraph for link previews. The mappings themselves live in
``catalogue``."""

from __future__ import annotations

from typing import Any, NamedTuple

from catalogue.model.dates import day_of
from catalogue.model.records import Record
from catalogue.standards.citations import Citation, citation_for
from catalogue.standards.exports import asset_exports
from catalogue.standards.jsonld import LinkedData
from site_generator import formatting
from site_generator.site import HeadTag
from site_generator.site_files import CATALOGUE_FILES, RECORD_JSON

METADATA_REL = "describedby"
"""How the head links a page's metadata files: FAIR Signposting's relation for "metadata about
this resource". (Not ``alternate``: MkDocs Material reads every ``rel="alternate"`` link as a
language version of the site and requests a sitemap beside it, a failed request on every
page.)"""


class FileFormat(NamedTuple):
    media_type: str
    label: str


FILE_FORMATS: dict[str, FileFormat] = {
    "metadata.jsonld": FileFormat("application/ld+json", "JSON-LD (schema.org, PROV-O, FAIR4ML)"),
    "croissant.json": FileFormat("application/ld+json", "Croissant (ML dataset description)"),
    "dcat.jsonld": FileFormat("application/ld+json", "DCAT 3"),
    "datacite.xml": FileFormat("application/vnd.datacite.datacite+xml",
                               "DataCite XML (DOI registration)"),
    "citation.bib": FileFormat("application/x-bibtex", "BibTeX"),
    "citation.ris": FileFormat("application/x-research-info-systems", "RIS"),
    "citation.csl.json": FileFormat("application/vnd.citationstyles.csl+json", "CSL-JSON"),
    RECORD_JSON: FileFormat("application/json", "The record as JSON (the catalogue's API)"),
}
"""What each file beside a page is (its media type and a title), for the head's links."""


class PageExports(NamedTuple):
    jsonld: dict[str, Any] | None
    """The record as JSON-LD, embedded in the page (a dataset's: its Croissant)."""
    files: dict[str, str]
    """File name -> content, published beside the page and offered for download."""
    head: tuple[HeadTag, ...] = ()
    """The page's alternate links, citation and OpenGraph tags."""


def page_exports(record: Record, linked: LinkedData) -> PageExports:
    """The embedded JSON-LD (kept small for very large schemas), the export files and the
    head's tags."""
    embedded = (linked.croissant(record, embedded=True) if record.kind.name == "dataset"
                else linked.record(record, embedded=True))
    files = asset_exports(record, linked)
    return PageExports(embedded, files, record_head(record, linked, files))


def record_head(record: Record, linked: LinkedData, files: dict[str, str]) -> tuple[HeadTag, ...]:
    tags = [alternate(name, fmt) for name, fmt in FILE_FORMATS.items()
            if name in files or name == RECORD_JSON]
    if record.kind.is_asset:
        tags += citation_tags(citation_for(record, linked.catalogue), record)
    tags += open_graph(linked, record.title, record.data.get("description"),
                       linked.url(record.id), "article" if record.kind.is_asset else "profile"
                       if record.kind.name == "researcher" else "website")
    return tuple(tags)


def home_head(linked: LinkedData) -> tuple[HeadTag, ...]:
    """The home page's links to the catalogue-wide files, and its OpenGraph tags."""
    settings = linked.catalogue.settings
    tags = [HeadTag("link", (("rel", METADATA_REL), ("type", media_type), ("href", path),
                             ("title", label)))
            for path, media_type, label in CATALOGUE_FILES]
    return tuple(tags + open_graph(linked, settings.title, settings.description, linked.base,
                                   "website"))


def alternate(name: str, fmt: FileFormat) -> HeadTag:
    return HeadTag("link", (("rel", METADATA_REL), ("type", fmt.media_type), ("href", name),
                            ("title", fmt.label)))


def _meta(name: str, content: str, attribute: str = "name") -> HeadTag:
    return HeadTag("meta", ((attribute, name), ("content", content)))


def citation_tags(citation: Citation, record: Record) -> list[HeadTag]:
    """Highwire Press ``citation_*`` tags, which Google Scholar and Zotero read."""
    tags = [_meta("citation_title", citation.title)]
    tags += [_meta("citation_author", f"{a.family}, {a.given}" if a.given else a.family)
             for a in citation.authors]
    created = day_of(record.data.get("created_at"))
    if created is not None:
        tags.append(_meta("citation_publication_date", created.strftime("%Y/%m/%d")))
    for name, value in (("citation_publisher", citation.publisher), ("citation_doi", citation.doi),
                        ("citation_abstract_html_url", citation.url)):
        if value:
            tags.append(_meta(name, value))
    if citation.keywords:
        tags.append(_meta("citation_keywords", "; ".join(citation.keywords)))
    return tags


def open_graph(linked: LinkedData, title: str, description: object, url: str,
               kind: str) -> list[HeadTag]:
    tags = [_meta("og:type", kind, "property"), _meta("og:title", title, "property"),
            _meta("og:url", url, "property"),
            _meta("og:site_name", linked.catalogue.settings.title, "property"),
            _meta("og:locale", linked.language.replace("-", "_"), "property")]
    if isinstance(description, str) and description:
        tags.append(_meta("og:description", formatting.truncate(description, 300), "property"))
    return tags
