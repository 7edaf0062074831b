"""Site-wide files for machines: the sitemap and robots.txt for crawlers, one RDF dump (N-Quads)
and a DCAT catalogue for linked-data users, and a static JSON API (each record beside its page,
an index per kind) so scripts need no scraping."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from typing import Any

from catalogue.model.dates import iso_day
from catalogue.model.kinds import KINDS
from catalogue.model.records import Record
from catalogue.standards.dcat import dcat_catalog
from catalogue.standards.exports import robots_txt, sitemap_xml
from catalogue.standards.jsonld import LinkedData
from catalogue.standards.rdf import merge_nquads, nquads_lines
from site_generator.downloads import PublishedFile
from site_generator.json_bytes import compact_json, indented_json
from site_generator.kind_views import VIEWS

RECORD_JSON = "record.json"
API_FOLDER = "api"
NQUADS_FILE = "catalogue.nq"
DCAT_FILE = "catalogue.dcat.jsonld"
DATA_CATALOG_FILE = "catalogue.jsonld"
SITEMAP_FILE = "sitemap.xml"
SITEMAP_FILES = (SITEMAP_FILE, SITEMAP_FILE + ".gz")
API_INDEX_FILE = f"{API_FOLDER}/index.json"
ROBOTS_FILE = "robots.txt"
CATALOGUE_FILES = (
    (DATA_CATALOG_FILE, "application/ld+json", "The catalogue as a schema.org DataCatalog"),
    (DCAT_FILE, "application/ld+json", "The catalogue in W3C DCAT 3: datasets and models with "
                                       "their files"),
    (NQUADS_FILE, "application/n-quads", "Every record as RDF, one graph (N-Quads)"),
    (API_INDEX_FILE, "application/json", "The JSON API: an index per kind, and a "
                                         "record.json beside each page"),
    (SITEMAP_FILE, "application/xml", "The sitemap of every record's page"),
)
"""The catalogue-wide files for machines: (path, media type, what it holds)."""


def record_json(record: Record, linked: LinkedData) -> dict[str, Any]:
    """The record's own data, plus its id, page and every link in both directions."""
    graph = linked.catalogue.graph
    return {
        "id": record.id,
        "kind": record.kind.name,
        "url": linked.url(record.id),
        "data": record.data,
        "links": {"outgoing": graph.outgoing.get(record.id, {}),
                  "incoming": graph.incoming.get(record.id, {})},
    }


def _summary(record: Record, linked: LinkedData) -> dict[str, Any]:
    data = record.data
    summary = {"id": record.id, "name": record.title, "url": linked.url(record.id),
               "json": linked.url(record.id) + RECORD_JSON, "status": record.status}
    for key in ("version", "license", "created_at", "updated_at",
                *VIEWS[record.kind.name].api_fields):
        if key in data:
            summary[key] = data[key]
    return summary


def record_machine_files(record: Record, linked: LinkedData) -> tuple[PublishedFile, list[str]]:
    """The record's ``record.json`` beside its page, and its lines of the N-Quads dump."""
    return (PublishedFile(f"{record.id}/{RECORD_JSON}",
                          content=indented_json(record_json(record, linked))),
            nquads_lines(linked.record(record), linked.url(record.id)))


def machine_files(linked: LinkedData,
                  nquads: Iterable[Iterable[str]] | None = None) -> list[PublishedFile]:
    """Every site-wide file; ``nquads``: each record's lines of the dump, from the records'
    units (``record_machine_files``). Without them, the records' own files and lines are made
    here and their files are returned too."""
    files = []
    if nquads is None:
        made = [record_machine_files(r, linked) for r in linked.catalogue.records.values()]
        files = [file for file, _ in made]
        nquads = [lines for _, lines in made]
    return [*files, *catalogue_files(linked), nquads_dump(linked, nquads)]


def catalogue_files(linked: LinkedData) -> list[PublishedFile]:
    """The site-wide files made from the records alone: the JSON API's indexes, the DCAT
    catalogue, the DataCatalog and robots.txt."""
    catalogue = linked.catalogue
    files = []
    indexes = {}
    for kind in KINDS.values():
        records = catalogue.of_kind(kind.name)
        path = _kind_index(kind.folder)
        indexes[kind.folder] = {"count": len(records), "url": linked.base + path}
        files.append(PublishedFile(path, content=compact_json(
            {"kind": kind.name, "count": len(records),
             "records": [_summary(r, linked) for r in records]})))
    files.append(PublishedFile(API_INDEX_FILE, content=compact_json(
        {"title": catalogue.settings.title, "url": linked.base, "kinds": indexes,
         "rdf": linked.base + NQUADS_FILE, "dcat": linked.base + DCAT_FILE})))
    files.append(PublishedFile(DCAT_FILE, content=compact_json(dcat_catalog(linked))))
    files.append(PublishedFile(DATA_CATALOG_FILE, content=compact_json(linked.data_catalog())))
    files.append(PublishedFile(ROBOTS_FILE, content=robots_txt(linked.base).encode()))
    return files


def catalogue_file_paths() -> tuple[str, ...]:
    """The paths of ``catalogue_files`` and ``sitemap_files``, known before they are made."""
    return (*(_kind_index(kind.folder) for kind in KINDS.values()), API_INDEX_FILE, DCAT_FILE,
            DATA_CATALOG_FILE, ROBOTS_FILE, *SITEMAP_FILES)


def _kind_index(folder: str) -> str:
    return f"{API_FOLDER}/{folder}.json"


def nquads_dump(linked: LinkedData, nquads: Iterable[Iterable[str] | bytes]) -> PublishedFile:
    """The N-Quads dump: each record's lines (in the order given; or their UTF-8 text, one
    line after the other, as the build cache keeps them), then the DataCatalog's. Merged as
    UTF-8: 57 MB at 10,000 records need not be decoded and encoded again."""
    parts = [*nquads, nquads_lines(linked.data_catalog(), linked.base)]
    return PublishedFile(NQUADS_FILE, content=merge_nquads(
        ((part.split(b"\n") if part else []) if isinstance(part, bytes)
         else [line.encode() for line in part] for part in parts), b"\n"))


def sitemap_files(linked: LinkedData) -> dict[str, bytes]:
    """``sitemap.xml`` listing exactly the asset pages, and its gzip twin (no timestamp inside,
    so that builds stay byte-identical). They replace the ones the theme writes."""
    pages = {linked.url(r.id): iso_day(r.data.get("updated_at") or r.data.get("created_at"))
             for r in linked.catalogue.records.values()}
    xml = sitemap_xml(pages).encode()
    return dict(zip(SITEMAP_FILES, (xml, gzip.compress(xml, mtime=0)), strict=True))
