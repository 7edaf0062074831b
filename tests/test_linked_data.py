"""Linked data checked against the standards themselves (copies in tests/standards): JSON-LD
expands with nothing dropped, schema.org terms exist, Croissant validates with mlcroissant,
DataCite XML against the 4.6 XSD, CSL-JSON against its schema."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import minimal_records, write_catalogue
from pyld import jsonld

from catalogue.model.kinds import KINDS
from catalogue.pipeline import Catalogue, load_catalogue
from catalogue.standards.citations import citation_for, csl_json
from catalogue.standards.datacite import datacite_xml, has_datacite
from catalogue.standards.dcat import dcat_catalog
from catalogue.standards.exports import asset_exports
from catalogue.standards.jsonld import LinkedData, script_json
from catalogue.standards.vocabularies import CONTEXT

REPOSITORY = Path(__file__).resolve().parents[1]
VOCAB = REPOSITORY / "tests" / "standards"
PAYLOAD = '</script><script>alert(1)</script><!-- & "quotes" \u2028'


def _no_remote_documents(url: str, options: dict[str, Any] | None = None) -> Any:
    raise jsonld.JsonLdError(f"refusing to fetch {url}: every context is inline",
                             "jsonld.LoadDocumentError", code="loading document failed")


def expand(document: dict[str, Any]) -> list[Any]:
    """``document`` expanded by pyld, offline: every context must be inline."""
    result: list[Any] = jsonld.expand(document, {"documentLoader": _no_remote_documents})
    return result


@pytest.fixture(scope="module")
def example() -> Catalogue:
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    return catalogue


@pytest.fixture(scope="module")
def linked(example: Catalogue) -> LinkedData:
    return LinkedData(example)


def _documents(linked: LinkedData) -> list[dict[str, Any]]:
    return [linked.record(r, embedded=True) for r in linked.catalogue.records.values()] + [
        linked.data_catalog()]


def _keys(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            if not key.startswith("@"):
                found.add(key)
            found |= _keys(value)
    elif isinstance(node, list):
        for item in node:
            found |= _keys(item)
    return found


@functools.cache
def _expands(key: str) -> bool:
    return bool(expand({"@context": CONTEXT, "@id": "https://x.example/", key: "v"}))


def test_every_key_survives_expansion(linked: LinkedData) -> None:
    croissant = [linked.croissant(r) for r in linked.catalogue.of_kind("dataset")]
    for document in [*_documents(linked), *croissant]:
        dropped = sorted(k for k in _keys(document) if not _expands(k))
        assert dropped == [], document.get("@id")
        assert expand(document)  # and the whole document expands offline
    assert expand(dcat_catalog(linked))


@functools.cache
def _schema_org_terms() -> set[str]:
    terms: set[str] = set()
    for name in ("schemaorg-current-https-properties.csv", "schemaorg-current-https-types.csv"):
        with open(VOCAB / "schemaorg" / name, encoding="utf-8") as handle:
            terms |= {row["id"] for row in csv.DictReader(handle)}
    return terms


def _expanded_iris(node: Any) -> set[str]:
    iris: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                iris |= set(value if isinstance(value, list) else [value])
            elif not key.startswith("@"):
                iris.add(key)
            iris |= _expanded_iris(value)
    elif isinstance(node, list):
        for item in node:
            iris |= _expanded_iris(item)
    return iris


def test_schema_org_terms_exist_in_release_30(linked: LinkedData) -> None:
    known = _schema_org_terms()
    used = set().union(*(_expanded_iris(expand(d)) for d in _documents(linked)))
    schema_terms = {iri for iri in used if iri.startswith("https://schema.org/")}
    assert schema_terms, "no schema.org terms used at all"
    assert sorted(schema_terms - known) == []


def test_fair4ml_terms_exist(linked: LinkedData) -> None:
    vocabulary = json.loads((VOCAB / "fair4ml" / "fair4ml-0.1.0.jsonld").read_text("utf-8"))
    known = {node["@id"].replace("fair4ml:", "https://w3id.org/fair4ml#")
             for node in vocabulary["@graph"]}
    used = set().union(*(_expanded_iris(expand(d)) for d in _documents(linked)))
    fair4ml = {iri for iri in used if iri.startswith("https://w3id.org/fair4ml#")}
    assert "https://w3id.org/fair4ml#trainedOn" in fair4ml
    assert sorted(fair4ml - known) == []


def test_croissant_files_validate_with_mlcroissant(linked: LinkedData, tmp_path: Path) -> None:
    mlcroissant = pytest.importorskip("mlcroissant")
    datasets = linked.catalogue.of_kind("dataset")
    assert len(datasets) >= 2
    for record in datasets:
        for embedded in (False, True):
            path = tmp_path / f"{record.slug}-{embedded}.json"
            path.write_text(json.dumps(linked.croissant(record, embedded=embedded)))
            dataset = mlcroissant.Dataset(jsonld=path)
            assert not dataset.metadata.issues.errors, (record.id, dataset.metadata.issues)


def test_datacite_xml_validates_against_the_4_6_xsd(example: Catalogue) -> None:
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(VOCAB / "datacite/kernel-4.6/metadata.xsd")))
    assets = [r for r in example.records.values() if has_datacite(r)]
    assert {r.kind.name for r in assets} == {k.name for k in KINDS.values() if k.is_asset}
    for record in assets:
        document = etree.fromstring(datacite_xml(record, example).encode())
        assert schema.validate(document), (record.id, schema.error_log)
    general = etree.fromstring(datacite_xml(example.of_kind("model")[0], example).encode())
    resource_type = general.find("{http://datacite.org/schema/kernel-4}resourceType")
    assert resource_type.get("resourceTypeGeneral") == "Model"


def test_csl_json_validates(example: Catalogue) -> None:
    schema = json.loads((VOCAB / "csl" / "csl-data.json").read_text("utf-8"))
    for record in (r for r in example.records.values() if r.kind.is_asset):
        jsonschema.validate(csl_json(citation_for(record, example)), schema)


def test_dataset_pages_meet_google_required_properties(linked: LinkedData) -> None:
    for record in linked.catalogue.of_kind("dataset"):
        document = linked.record(record, embedded=True)
        assert document["name"]
        assert 50 <= len(document["description"]) <= 5000, record.id
        for distribution in document.get("distribution", []):
            if "containedIn" not in distribution:  # files inside an archive have a path
                assert distribution["contentUrl"].startswith("https://")


def test_deleted_dataset_offers_no_files(linked: LinkedData) -> None:
    deleted = [r for r in linked.catalogue.of_kind("dataset") if r.status == "deleted"]
    assert deleted
    for record in deleted:
        document = linked.record(record)
        assert "distribution" not in document
        assert document["creativeWorkStatus"] == "Deleted"


def test_exports_cover_every_format(linked: LinkedData) -> None:
    dataset = linked.catalogue.of_kind("dataset")[0]
    assert has_datacite(dataset)
    assert set(asset_exports(dataset, linked)) == {
        "metadata.jsonld", "croissant.json", "dcat.jsonld", "datacite.xml", "citation.bib",
        "citation.ris", "citation.csl.json"}
    without_doi = linked.catalogue.records["datasets/iris-flower-measurements"]
    assert "datacite.xml" not in asset_exports(without_doi, linked)
    researcher = linked.catalogue.of_kind("researcher")[0]
    assert set(asset_exports(researcher, linked)) == {"metadata.jsonld"}


def test_injection_in_names_cannot_close_the_script_element(tmp_path: Path) -> None:
    records = minimal_records()
    records["datasets/test-data"]["name"] = PAYLOAD[:290]
    records["datasets/test-data"]["description"] = PAYLOAD * 3
    records["researchers/ada-lovelace"]["first_name"] = "</SCRIPT>"
    write_catalogue(tmp_path, dict(records))
    catalogue, _ = load_catalogue(tmp_path, check=False)
    linked = LinkedData(catalogue)
    for record in catalogue.records.values():
        document = linked.record(record, embedded=True)
        text = script_json(document)
        assert "<" not in text and ">" not in text and "&" not in text
        assert "\u2028" not in text
        assert json.loads(text) == document


def test_omh_export_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from omh.cli import main

    records = minimal_records()
    records["datasets/test-data"]["persistent_identifier"] = "doi:10.5555/test-data"
    write_catalogue(tmp_path / "hub", dict(records))
    out = tmp_path / "out"
    assert main(["export", "datasets/test-data", "--root", str(tmp_path / "hub"),
                 "--output", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["metadata.jsonld", "croissant.json", "dcat.jsonld", "datacite.xml", "citation.bib",
         "citation.ris", "citation.csl.json"])
    capsys.readouterr()
    assert main(["export", "models/test-model", "--root", str(tmp_path / "hub"),
                 "--format", "datacite", "--output", "-"]) == 2
    assert "has no DOI" in capsys.readouterr().err
    assert main(["export", "datasets/test-data", "--root", str(tmp_path / "hub"),
                 "--format", "bibtex", "--output", "-"]) == 0
    assert capsys.readouterr().out.startswith("@misc{datasets_test_data,")
    assert main(["export", "datasets/none", "--root", str(tmp_path / "hub")]) == 2
    assert main(["export", "researchers/ada-lovelace", "--root", str(tmp_path / "hub"),
                 "--format", "datacite"]) == 2


def _page_jsonld(page: Path) -> list[dict[str, Any]]:
    from test_site_support import parse_page

    return [json.loads(text) for attributes, text in parse_page(page).scripts
            if attributes.get("type") == "application/ld+json"]


def test_every_asset_page_embeds_its_jsonld(tmp_path_factory: pytest.TempPathFactory) -> None:
    from test_site_support import example_site

    site = example_site(tmp_path_factory.getbasetemp())
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    for record_id in catalogue.records:
        blocks = _page_jsonld(site / record_id / "index.html")
        assert len(blocks) == 1, record_id
        document = blocks[0]
        assert document["@id"] == f"https://openmodelshub.example/{record_id}/"
        assert sorted(k for k in _keys(document) if not _expands(k)) == []
        assert expand(document)
    home = _page_jsonld(site / "index.html")
    assert home[0]["@type"] == "DataCatalog" and home[0]["dataset"]
    for name in ("catalogue.nq", "catalogue.dcat.jsonld", "catalogue.jsonld", "api/index.json",
                 "api/models.json", "models/climate-detection-resnet/record.json",
                 "datasets/climate-change-detection/croissant.json"):
        assert (site / name).is_file(), name
    index = json.loads((site / "api" / "datasets.json").read_text())
    assert index["count"] == len(catalogue.of_kind("dataset"))
    record = json.loads((site / "models/climate-detection-resnet/record.json").read_text())
    assert record["data"] == catalogue.records["models/climate-detection-resnet"].data
    assert "produced_by" in record["links"]["incoming"]


def test_script_injection_in_names_keeps_jsonld_parsing(tmp_path: Path) -> None:
    from test_site_support import parse_page

    from site_generator.build import build_site

    records = minimal_records()
    records["datasets/test-data"]["name"] = PAYLOAD[:290]
    records["datasets/test-data"]["description"] = PAYLOAD * 3
    records["models/test-model"]["name"] = "<img src=x onerror=alert(1)>"
    write_catalogue(tmp_path / "hub", dict(records))
    site = build_site(tmp_path / "hub", tmp_path / "site").site_dir
    for record_id in ("datasets/test-data", "models/test-model"):
        page = site / record_id / "index.html"
        parsed = parse_page(page)
        blocks = _page_jsonld(page)
        assert len(blocks) == 1
        assert blocks[0]["name"] == records[record_id]["name"]
        assert not parsed.handlers  # no event handler attribute made it into the markup
        # every script on the page is the site's own: a JSON-LD block or a file it serves
        for attributes, text in parsed.scripts:
            assert attributes.get("type") == "application/ld+json" or (
                "src" in attributes and not text.strip()) or "alert" not in text


def test_embedded_block_stays_small_for_very_large_schemas(tmp_path: Path) -> None:
    import hashlib

    records = minimal_records()
    dataset = records["datasets/test-data"]
    dataset["columns"] = [{"name": f"feature_{i}", "data_type": "float",
                           "description": "A measured value " * 5} for i in range(2000)]
    content = (",".join(c["name"] for c in dataset["columns"]) + "\n").encode()
    dataset["artefacts"] = [{"path": "data.csv", "sha256": hashlib.sha256(content).hexdigest(),
                             "size_bytes": len(content), "media_type": "text/csv",
                             "role": "data"}]
    write_catalogue(tmp_path, dict(records))
    (tmp_path / "datasets/test-data/data.csv").write_bytes(content)
    catalogue, _ = load_catalogue(tmp_path, check=False)
    linked = LinkedData(catalogue)
    record = catalogue.records["datasets/test-data"]
    full = linked.record(record, embedded=False)
    embedded = linked.record(record, embedded=True)
    assert len(full["recordSet"][0]["field"]) == 2000
    assert "recordSet" not in embedded
    assert len(embedded["variableMeasured"]) <= 50
    assert len(script_json(embedded)) < 20_000 < len(json.dumps(full))
