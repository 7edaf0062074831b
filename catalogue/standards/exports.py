"""Metadata files for each asset and for the whole catalogue: what crawlers, citation managers
and scripts download. The site publishes them beside each page; ``omh export`` writes them."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from catalogue.model.records import Record
from catalogue.standards.citations import bibtex, citation_for, csl_json_text, ris
from catalogue.standards.datacite import datacite_xml, has_datacite
from catalogue.standards.dcat import dcat_record, has_dcat
from catalogue.standards.json_text import json_text
from catalogue.standards.jsonld import LinkedData

EXPORT_FORMATS = {
    "jsonld": "metadata.jsonld",
    "croissant": "croissant.json",
    "dcat": "dcat.jsonld",
    "datacite": "datacite.xml",
    "bibtex": "citation.bib",
    "ris": "citation.ris",
    "csl": "citation.csl.json",
}
"""Format name -> file name, for every format some record has."""


def _json(document: Any) -> str:
    return json_text(document, indent=True) + "\n"


def asset_exports(record: Record, linked: LinkedData) -> dict[str, str]:
    """File name -> content for every export that applies to the record: its JSON-LD; a
    dataset's Croissant; a dataset's or model's DCAT; an asset's citations, and its DataCite
    XML when it has a DOI."""
    files = {EXPORT_FORMATS["jsonld"]: _json(linked.record(record))}
    if record.kind.name == "dataset":
        files[EXPORT_FORMATS["croissant"]] = _json(linked.croissant(record))
    if has_dcat(record):
        files[EXPORT_FORMATS["dcat"]] = _json(dcat_record(record, linked))
    if record.kind.is_asset:
        citation = citation_for(record, linked.catalogue)
        if has_datacite(record):
            files[EXPORT_FORMATS["datacite"]] = datacite_xml(record, linked.catalogue)
        files[EXPORT_FORMATS["bibtex"]] = bibtex(citation)
        files[EXPORT_FORMATS["ris"]] = ris(citation)
        files[EXPORT_FORMATS["csl"]] = csl_json_text(citation)
    return files


def sitemap_xml(pages: dict[str, str | None]) -> str:
    """A sitemap of ``pages`` (URL -> last modification date, ``YYYY-MM-DD`` or None)."""
    entries = ""
    for url in sorted(pages):
        lastmod = pages[url]
        entries += (f"  <url><loc>{escape(url)}</loc>"
                    + (f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else "") + "</url>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</urlset>\n")


def robots_txt(base: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n"
