"""The built site as crawlers and reference managers read it: every Dataset item on every page
(the home page's DataCatalog included) has Google's required properties and most of its
recommended ones; every page links its machine-readable files from its head, and asset pages
carry citation_* tags (Google Scholar, Zotero) and OpenGraph, escaped."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_records, write_catalogue
from test_site_support import example_site, html_pages, parse_page

from catalogue.pipeline import Catalogue, load_catalogue
from catalogue.standards.datacite import has_datacite

pytestmark = pytest.mark.slow
REPOSITORY = Path(__file__).resolve().parents[1]
GOOGLE_REQUIRED = ("name", "description")
GOOGLE_RECOMMENDED = ("alternateName", "creator", "citation", "funder", "hasPart", "isPartOf",
                      "identifier", "isAccessibleForFree", "keywords", "license",
                      "measurementTechnique", "sameAs", "spatialCoverage", "temporalCoverage",
                      "variableMeasured", "version", "url", "distribution",
                      "includedInDataCatalog")
"""Google's Dataset structured data: required and recommended properties."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def example() -> Catalogue:
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    return catalogue


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta":
            self.meta.append(values)
        elif tag == "link":
            self.links.append(values)


def _head(page: Path) -> _Head:
    parser = _Head()
    parser.feed(page.read_text("utf-8"))
    return parser


def _meta(head: _Head, key: str) -> list[str]:
    return [m.get("content", "") for m in head.meta
            if m.get("name") == key or m.get("property") == key]


def _is_dataset(node: dict[str, Any]) -> bool:
    types = node.get("@type")
    return bool({"Dataset", "sc:Dataset"} & set(types if isinstance(types, list) else [types]))


def _dataset_items(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if _is_dataset(node):
            found.append(node)
        for key, value in node.items():
            if key != "@context":
                found += _dataset_items(value)
    elif isinstance(node, list):
        for item in node:
            found += _dataset_items(item)
    return found


def _items(site: Path) -> list[tuple[Path, dict[str, Any]]]:
    items = []
    for page in html_pages(site):
        for attributes, text in parse_page(page).scripts:
            if attributes.get("type") == "application/ld+json":
                items += [(page, item) for item in _dataset_items(json.loads(text))]
    return items


def test_every_dataset_item_has_googles_required_properties(site: Path) -> None:
    items = _items(site)
    assert any(page == site / "index.html" for page, _ in items)  # the DataCatalog's
    invalid = [(page.relative_to(site).as_posix(), item.get("@id")) for page, item in items
               if not all(item.get(key) for key in GOOGLE_REQUIRED)
               or not 50 <= len(item["description"]) <= 5000]
    assert items and invalid == []


def test_dataset_pages_cover_googles_recommended_properties(site: Path,
                                                            example: Catalogue) -> None:
    pages = {site / r.id / "index.html" for r in example.of_kind("dataset")}
    items = [item for page, item in _items(site) if page in pages]
    assert len(items) == len(pages)
    filled = sum(1 for item in items for key in GOOGLE_RECOMMENDED if item.get(key))
    assert filled / (len(items) * len(GOOGLE_RECOMMENDED)) >= 0.8
    for key in ("alternateName", "isPartOf", "includedInDataCatalog", "url"):
        assert all(item.get(key) for item in items), key
    with_pid = {f"https://openmodelshub.example/{r.id}/" for r in example.of_kind("dataset")
                if r.data.get("persistent_identifier")}
    assert with_pid and all(item.get("sameAs") for item in items if item["@id"] in with_pid)
    assert any(item.get("funder") for item in items)


def test_every_record_page_links_its_machine_readable_files(site: Path,
                                                            example: Catalogue) -> None:
    for record in example.records.values():
        page = site / record.id / "index.html"
        head = _head(page)
        alternates = {link["href"]: link for link in head.links
                      if link.get("rel") == "describedby"}
        assert {"metadata.jsonld", "record.json"} <= set(alternates), record.id
        for href, link in alternates.items():
            assert link.get("type") and (page.parent / href).is_file(), (record.id, href)
        if record.kind.name == "dataset":
            assert "croissant.json" in alternates and "dcat.jsonld" in alternates
        assert ("datacite.xml" in alternates) == has_datacite(record), record.id
        assert _meta(head, "og:title") and _meta(head, "og:url") == [
            f"https://openmodelshub.example/{record.id}/"]
        if record.kind.is_asset:
            assert _meta(head, "citation_title") == [record.title]
            authors = record.items("created_by")
            assert len(_meta(head, "citation_author")) == len(authors)
            assert _meta(head, "citation_publication_date")
            doi = str(record.data.get("persistent_identifier", "")).removeprefix("doi:")
            assert _meta(head, "citation_doi") == ([doi] if doi else [])
        else:
            assert not _meta(head, "citation_title")


def test_home_page_lists_the_catalogue_wide_files(site: Path) -> None:
    page = site / "index.html"
    head = _head(page)
    alternates = [link["href"] for link in head.links if link.get("rel") == "describedby"]
    for name in ("catalogue.jsonld", "catalogue.dcat.jsonld", "catalogue.nq", "api/index.json"):
        assert name in alternates and (site / name).is_file(), name
        assert any(url.endswith(name) for tag, url, _ in parse_page(page).urls if tag == "a")


def test_head_values_are_escaped(tmp_path: Path) -> None:
    from site_generator.build import build_site

    records = minimal_records()
    name = 'Evil "><script>alert(1)</script> & co'
    records["datasets/test-data"]["name"] = name
    records["datasets/test-data"]["description"] = name + " " + "x" * 60
    write_catalogue(tmp_path / "hub", dict(records))
    site = build_site(tmp_path / "hub", tmp_path / "site").site_dir
    page = site / "datasets" / "test-data" / "index.html"
    head = _head(page)
    assert _meta(head, "citation_title") == [name] and _meta(head, "og:title") == [name]
    scripts = [text for attributes, text in parse_page(page).scripts
               if attributes.get("type") != "application/ld+json"]
    assert not [text for text in scripts if "alert(1)" in text]
