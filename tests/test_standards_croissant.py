"""Croissant as a Croissant loader reads it: mlcroissant loads the records of every example
dataset whose data or sample is in the repository, downloading or reading each file and
verifying its checksum. The image datasets' archives are remote; their records are read from a
stand-in archive built as the record describes (``scripts/build_archive_fixture.py``), whose own
checksum then stands in the description."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_site_support import serve_folder

from catalogue.model.pointers import usable_pointers
from catalogue.model.records import Record
from catalogue.pipeline import Catalogue, load_catalogue
from catalogue.standards.croissant import file_names
from catalogue.standards.exports import EXPORT_FORMATS, asset_exports
from catalogue.standards.jsonld import LinkedData

mlcroissant = pytest.importorskip("mlcroissant")
REPOSITORY = Path(__file__).resolve().parents[1]
JsonLd = dict[str, Any]


def _fixture_script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_archive_fixture", REPOSITORY / "scripts" / "build_archive_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example() -> Catalogue:
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    return catalogue


@pytest.fixture(autouse=True)
def croissant_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """mlcroissant's download and extraction folders, inside the test's own folder."""
    from etils import epath
    from mlcroissant._src.core import constants
    from mlcroissant._src.operation_graph.operations import extract

    cache = epath.Path(tmp_path) / "croissant"
    monkeypatch.setattr(constants, "DOWNLOAD_PATH", cache / "download")
    monkeypatch.setattr(extract, "EXTRACT_PATH", cache / "extract")
    yield


def _croissant(record: Record, linked: LinkedData) -> JsonLd:
    """The published croissant.json."""
    document: JsonLd = json.loads(asset_exports(record, linked)[EXPORT_FORMATS["croissant"]])
    return document


def _sources(node: Any) -> set[str]:
    """Every ``@id`` a node's sources and references name."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("fileObject", "fileSet", "field") and isinstance(value, dict):
                found.add(str(value.get("@id")))
            found |= _sources(value)
    elif isinstance(node, list):
        for item in node:
            found |= _sources(item)
    return found


def _files_needed(document: JsonLd, set_id: str) -> set[str]:
    """The files (by ``@id``) a record set reads, following joins and archives."""
    sets = {s["@id"]: s for s in document.get("recordSet", [])}
    files = {f["@id"]: f for f in document.get("distribution", [])}
    needed: set[str] = set()
    todo, seen = [set_id], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for source in _sources(sets[current].get("field", [])):
            owner = source.split("/", 1)[0]
            if source in files:
                needed.add(source)
            elif owner in sets:
                todo.append(owner)
    containers = {file_id: files[file_id].get("containedIn", {}).get("@id", file_id)
                  for file_id in needed}
    return set(containers.values())


def _stand_in(record: Record, document: JsonLd, folder: Path) -> dict[str, Path]:
    """A stand-in for each remote archive with declared contents, its checksum and size
    written into ``document``: file ``@id`` -> local path."""
    built = {}
    folder.mkdir(parents=True, exist_ok=True)
    pointers = usable_pointers(record)
    for pointer, name in zip(pointers, file_names(pointers), strict=True):
        entry = record.data["artefacts"][pointer.field[1]]
        if pointer.is_local or not entry.get("contents"):
            continue
        archive = _fixture_script().write_archive(record.folder, folder / name)
        for node in document["distribution"]:
            if node["@id"] == name:
                node["sha256"] = hashlib.sha256(archive.read_bytes()).hexdigest()
                node["contentSize"] = f"{archive.stat().st_size} B"
        built[name] = archive
    return built


def _local_files(record: Record) -> dict[str, Path]:
    pointers = usable_pointers(record)
    return {name: record.folder / pointer.target
            for pointer, name in zip(pointers, file_names(pointers), strict=True)
            if pointer.is_local}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def test_every_dataset_with_data_in_the_repository_loads(example: Catalogue,
                                                        tmp_path: Path) -> None:
    linked = LinkedData(example)
    loaded: dict[str, set[str]] = {}
    for record in example.of_kind("dataset"):
        document = _croissant(record, linked)
        if record.status == "deleted":
            assert "distribution" not in document and "recordSet" not in document
            continue
        local = _local_files(record)
        assert local, f"{record.id} has neither its data nor a sample in the repository"
        available = {**local, **_stand_in(record, document, tmp_path / record.slug)}
        path = tmp_path / f"{record.slug}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        dataset = mlcroissant.Dataset(jsonld=path, mapping={k: str(v) for k, v in
                                                            available.items()})
        assert not dataset.metadata.issues.errors, (record.id, dataset.metadata.issues.report())
        columns = {c["name"]: c for c in record.mappings("columns")}
        for record_set in document["recordSet"]:
            set_id = record_set["@id"]
            if not _files_needed(document, set_id) <= set(available):
                continue
            rows = list(dataset.records(set_id))
            loaded.setdefault(record.id, set()).add(set_id)
            if record_set.get("dataType") == "sc:Enumeration":
                column = set_id.removesuffix("_values")
                assert [_text(r[f"{set_id}/name"]) for r in rows] == columns[column]["categories"]
            elif record_set.get("dataType") == "cr:Split":
                assert [_text(r["splits/name"]) for r in rows] == [
                    s["name"] for s in record.mappings("splits")]
            elif set_id in ("records", "sample"):
                _check_table(record, record_set, rows, available)
    assert set(loaded) == {r.id for r in example.of_kind("dataset") if r.status != "deleted"}
    images = [r for r in example.of_kind("dataset")
              if any(c.get("data_type") == "image" for c in r.mappings("columns"))
              and r.status != "deleted"]
    assert images and all({"records", "images"} <= loaded[r.id] for r in images), loaded


def _check_table(record: Record, record_set: JsonLd, rows: list[dict[str, Any]],
                 available: dict[str, Path]) -> None:
    """The rows are the file's, the categories the record's, the images the right ones."""
    set_id = record_set["@id"]
    source = record_set["field"][0]["source"]["fileObject"]["@id"]
    table = available.get(source)
    expected = _rows(table) if table is not None else None
    if expected is None:  # read from inside a stand-in archive: the sample's rows
        sample = next(p for n, p in available.items() if p.suffix == ".csv")
        expected = _rows(sample)
    assert len(rows) == len(expected) > 0, (record.id, set_id)
    if set_id == "records" and record.data.get("num_records") and table is not None \
            and table.name != "sample.csv":
        assert len(rows) == record.data["num_records"]
    for column in record.mappings("columns"):
        name = column["name"]
        if column.get("categories"):
            assert {_text(r[f"{set_id}/{name}"]) for r in rows} <= set(column["categories"])
        if column.get("data_type") == "image" and f"{set_id}/{name}_path" in rows[0]:
            script = _fixture_script()
            for row in rows:
                image = row[f"{set_id}/{name}"]
                assert image.size == script.IMAGE_SIZE
                assert image.convert("RGB").getpixel((0, 0)) == script._colour(
                    _text(row[f"{set_id}/{name}_path"]))


def test_croissant_downloads_over_http_with_checksums(example: Catalogue) -> None:
    """The published contentUrl is fetched and its sha256 checked, as a reader's loader
    would; a file that does not match is refused."""
    record = example.records["datasets/iris-flower-measurements"]
    with serve_folder(REPOSITORY) as base:
        linked = LinkedData(example, base)
        document = _croissant(record, linked)
        rows = list(mlcroissant.Dataset(jsonld=document).records("records"))
        assert len(rows) == record.data["num_records"]
        document["distribution"][0]["sha256"] = "0" * 64
        with pytest.raises(Exception) as refused:
            list(mlcroissant.Dataset(jsonld=document).records("records"))
        causes, error = [], refused.value
        while error is not None:
            causes.append(str(error))
            error = error.__cause__ or error.__context__
        assert any("Hash of downloaded file" in cause for cause in causes), causes


def test_sample_only_records_say_so(tmp_path: Path) -> None:
    from conftest import minimal_records, write_catalogue

    records = minimal_records()
    dataset = records["datasets/test-data"]
    content = b"a,b\n1,x\n2,y\n"
    dataset["columns"] = [{"name": "a", "data_type": "integer"},
                          {"name": "b", "data_type": "category", "categories": ["x", "y"]}]
    dataset["artefacts"] = [{"path": "sample.csv", "sha256": hashlib.sha256(content).hexdigest(),
                             "size_bytes": len(content), "media_type": "text/csv",
                             "role": "sample-data", "description": "Two rows"}]
    write_catalogue(tmp_path, dict(records))
    (tmp_path / "datasets/test-data/sample.csv").write_bytes(content)
    catalogue, _ = load_catalogue(tmp_path, check=False)
    document = LinkedData(catalogue).croissant(catalogue.records["datasets/test-data"])
    assert "sample" in document["description"]
    table = next(s for s in document["recordSet"] if s["@id"] == "records")
    assert table["description"].startswith("Only a sample")
    path = tmp_path / "croissant.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    rows = list(mlcroissant.Dataset(jsonld=path, mapping={
        "sample.csv": str(tmp_path / "datasets/test-data/sample.csv")}).records("records"))
    assert [(r["records/a"], r["records/b"]) for r in rows] == [(1, b"x"), (2, b"y")]
