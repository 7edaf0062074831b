"""Metadata files for each asset and for the whole catalogue: what crawlers, citation managers
and scripts download. The site publishes them beside each page; ``omh export`` writes them."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from pyld import jsonld

from catalogue.model.records import Record
from catalogue.standards.citations import bibtex, citation_for, csl_json_text, ris
from catalogue.standards.datacite import datacite_xml
from catalogue.standards.jsonld import JsonLd, LinkedData
from catalogue.standards.vocabularies import DCAT, DCT

EXPORT_FORMATS = {
    "jsonld": "metadata.jsonld",
    "croissant": "croissant.json",
    "datacite": "datacite.xml",
    "bibtex": "citation.bib",
    "ris": "citation.ris",
    "csl": "citation.csl.json",
}


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def asset_exports(record: Record, linked: LinkedData) -> dict[str, str]:
    """File name -> content for every export that applies to the record's kind."""
    files = {EXPORT_FORMATS["jsonld"]: _json(linked.record(record))}
    if record.kind.name == "dataset":
        files[EXPORT_FORMATS["croissant"]] = _json(linked.record(record, embedded=False))
    if record.kind.is_asset:
        citation = citation_for(record, linked.catalogue)
        files[EXPORT_FORMATS["datacite"]] = datacite_xml(record, linked.catalogue)
        files[EXPORT_FORMATS["bibtex"]] = bibtex(citation)
        files[EXPORT_FORMATS["ris"]] = ris(citation)
        files[EXPORT_FORMATS["csl"]] = csl_json_text(citation)
    return files


def dcat_catalog(linked: LinkedData) -> JsonLd:
    """The catalogue in W3C DCAT: datasets with their distributions."""
    catalogue = linked.catalogue
    datasets = []
    for record in catalogue.of_kind("dataset"):
        node = linked.record(record, embedded=True)
        entry: JsonLd = {"@id": node["@id"], "@type": "dcat:Dataset",
                         "dct:title": record.title,
                         "dct:identifier": node.get("identifier"),
                         "dct:description": record.data.get("description"),
                         "dcat:keyword": record.items("subjects"),
                         "dct:accessRights": record.data.get("access_rights"),
                         "dcat:landingPage": {"@id": node["@id"]},
                         "dct:issued": record.data.get("created_at"),
                         "dct:modified": record.data.get("updated_at"),
                         "dct:license": record.data.get("license")}
        entry["dcat:distribution"] = [
            {"@type": "dcat:Distribution", "dcat:downloadURL": {"@id": f["contentUrl"]},
             "dcat:mediaType": f.get("encodingFormat"),
             "dcat:byteSize": int(str(f.get("contentSize", "0 B")).split()[0]),
             "dct:title": f.get("name")}
            for f in node.get("distribution", [])]
        datasets.append({k: v for k, v in entry.items() if v not in (None, [], "")})
    return {
        "@context": {"dcat": DCAT, "dct": DCT},
        "@id": linked.base, "@type": "dcat:Catalog",
        "dct:title": catalogue.settings.title,
        "dct:description": catalogue.settings.description or None,
        "dcat:dataset": datasets,
    }


def _no_remote_documents(url: str, options: dict[str, Any] | None = None) -> Any:
    raise jsonld.JsonLdError(f"refusing to fetch {url}: every context is inline",
                             "jsonld.LoadDocumentError", code="loading document failed")


def to_nquads(documents: list[JsonLd]) -> str:
    """One RDF dump (N-Quads) of many JSON-LD documents, without touching the network."""
    options = {"format": "application/n-quads", "documentLoader": _no_remote_documents}
    lines: set[str] = set()
    for document in documents:
        lines.update(line for line in jsonld.to_rdf(document, options).splitlines() if line)
    return "".join(line + "\n" for line in sorted(lines))


def expand(document: JsonLd) -> list[Any]:
    result: list[Any] = jsonld.expand(document, {"documentLoader": _no_remote_documents})
    return result


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
