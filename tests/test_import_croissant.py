"""``omh import-croissant``: Croissant files written by mlcroissant itself (file objects, a file
set, splits, nested fields, an enumeration) become dataset records that validate; a record
exported as Croissant and imported again has the same columns, types and files."""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import minimal_records, write_catalogue

from catalogue.load.store import RecordStore
from omh.cli import main

mlc = pytest.importorskip("mlcroissant")

DATA = "station,reading,label\nA,0.5,calm\nB,2.5,storm\n"
ARCHIVE_SHA256 = "c" * 64


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_catalogue(tmp_path / "catalogue", dict(minimal_records()))


def write_croissant(folder: Path, *, md5_only: bool = False,
                    drop_url: bool = False) -> Path:
    """A Croissant description written by mlcroissant, with a CSV beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "readings.csv").write_text(DATA, encoding="utf-8")
    digest = hashlib.sha256(DATA.encode()).hexdigest()
    archive: dict[str, Any] = {"md5": "d" * 32} if md5_only else {"sha256": ARCHIVE_SHA256}
    distribution = [
        mlc.FileObject(id="readings.csv", name="readings.csv", content_url="readings.csv",
                       encoding_formats=["text/csv"], sha256=digest),
        mlc.FileObject(id="photos.zip", name="photos.zip",
                       content_url="https://data.example.org/photos.zip",
                       encoding_formats=["application/zip"], content_size="20480 B",
                       **archive),
        mlc.FileSet(id="photos", name="photos", contained_in=["photos.zip"],
                    encoding_formats=["image/jpeg"], includes=["*.jpg"]),
    ]

    def column(record_set: str, name: str, data_type: Any, source_column: str,
               **extra: Any) -> Any:
        return mlc.Field(id=f"{record_set}/{name}", name=name, data_types=[data_type],
                         source=mlc.Source(file_object="readings.csv",
                                           extract=mlc.Extract(column=source_column)), **extra)

    record_sets = [
        mlc.RecordSet(id="splits", name="splits", data_types=[mlc.DataType.SPLIT],
                      key=["splits/name"],
                      fields=[mlc.Field(id="splits/name", name="name",
                                        data_types=[mlc.DataType.TEXT])],
                      data=[{"splits/name": "train"}, {"splits/name": "test"}]),
        mlc.RecordSet(id="labels", name="labels", key=["labels/name"],
                      fields=[mlc.Field(id="labels/name", name="name",
                                        data_types=[mlc.DataType.TEXT])],
                      data=[{"labels/name": "calm"}, {"labels/name": "storm"}]),
        mlc.RecordSet(id="readings", name="readings", fields=[
            column("readings", "station", mlc.DataType.TEXT, "station"),
            column("readings", "reading", mlc.DataType.FLOAT, "reading"),
            column("readings", "label", mlc.DataType.TEXT, "label",
                   references=mlc.Source(field="labels/name")),
            mlc.Field(id="readings/position", name="position", sub_fields=[
                mlc.Field(id="readings/position/lat", name="lat",
                          data_types=[mlc.DataType.FLOAT],
                          source=mlc.Source(file_object="readings.csv",
                                            extract=mlc.Extract(column="reading"))),
                mlc.Field(id="readings/position/observed", name="observed",
                          data_types=[mlc.DataType.DATE],
                          source=mlc.Source(file_object="readings.csv",
                                            extract=mlc.Extract(column="station"))),
            ]),
        ]),
    ]
    context = mlc.Context()
    metadata = mlc.Metadata(
        ctx=context, name="Coastal Station Readings",
        description="Readings of coastal weather stations with photographs of the sea state, "
                    "labelled calm or storm.",
        url="https://data.example.org/coastal", license=[
            "https://creativecommons.org/licenses/by/4.0/"],
        cite_as="@misc{coastal, title={Coastal Station Readings}}",
        creators=[mlc.Person(name="Ada Lovelace")], version="2.1.0",
        keywords=["weather", "coast"], distribution=distribution, record_sets=record_sets,
        data_collection="Logged every ten minutes by the stations' own loggers.",
        data_biases=["Only stations on the Baltic coast."],
        personal_sensitive_information=["None: no people appear in the photographs."])
    document = metadata.to_json()
    if drop_url:
        del document["distribution"][1]["contentUrl"]
    path = folder / "croissant.json"
    path.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    return path


def _record(root: Path, record_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / record_id / "record.yaml").read_text())
    return data


def test_a_croissant_file_becomes_a_dataset_that_validates(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_croissant(tmp_path / "published")
    code = main(["import-croissant", str(path), "--root", str(root), "--organization",
                 "organizations/test-institute", "--copy-files"])
    out = capsys.readouterr().out
    assert code == 0, out
    record_id = "datasets/coastal-station-readings"
    record = _record(root, record_id)
    assert record["name"] == "Coastal Station Readings" and record["version"] == "2.1.0"
    assert record["created_by"] == ["researchers/ada-lovelace"]  # matched by name
    assert record["license"] == "CC-BY-4.0"
    assert record["related_publications"] == [
        {"citation": "@misc{coastal, title={Coastal Station Readings}}"}]
    assert record["subjects"] == ["weather", "coast"]
    assert record["format"] == "csv"
    assert record["splits"] == [{"name": "train"}, {"name": "test"}]
    assert [(c["name"], c["data_type"]) for c in record["columns"]] == [
        ("station", "string"), ("reading", "float"), ("label", "category"),
        ("position/lat", "float"), ("position/observed", "date")]
    label = next(c for c in record["columns"] if c["name"] == "label")
    assert label["categories"] == ["calm", "storm"] and label["role"] == "target"
    assert record["collection_method"].startswith("Logged every ten minutes")
    assert "Biases: Only stations on the Baltic coast." in record["ethical_considerations"]
    local, remote = record["artefacts"]
    assert local["path"] == "readings.csv"
    assert local["sha256"] == hashlib.sha256(DATA.encode()).hexdigest()
    assert (root / record_id / "readings.csv").read_text(encoding="utf-8") == DATA
    assert (remote["url"], remote["sha256"], remote["size_bytes"]) == (
        "https://data.example.org/photos.zip", ARCHIVE_SHA256, 20480)
    assert "the file set 'photos' (*.jpg in photos.zip) is not listed" in out


def test_md5_only_is_kept_as_what_is_left_to_fill(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_croissant(tmp_path / "published", md5_only=True)
    assert main(["import-croissant", str(path), "--root", str(root), "--copy-files"]) == 1
    out = capsys.readouterr().out
    assert f"Croissant gives md5 {'d' * 32}" in out
    assert "left to fill before the pull request" in out and "sha256 of photos.zip" in out


def test_bad_files_are_refused_with_their_line(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "@context": {},\n  "name": "x",,\n}\n', encoding="utf-8")
    assert main(["import-croissant", str(broken), "--root", str(root)]) == 2
    assert re.search(r"broken\.json:3:\d+: not JSON", capsys.readouterr().err)
    path = write_croissant(tmp_path / "no-url", drop_url=True)
    assert main(["import-croissant", str(path), "--root", str(root)]) == 2
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if '"photos.zip"' in text)
    assert f"croissant.json:{line}: [Metadata(Coastal Station Readings) > FileObject(photos.zip)]" \
        in err and "contentUrl" in err, err
    path = write_croissant(tmp_path / "changed")
    (path.parent / "readings.csv").write_text(DATA + "C,9.9,storm\n", encoding="utf-8")
    assert main(["import-croissant", str(path), "--root", str(root)]) == 2
    assert "is stated, but readings.csv has" in capsys.readouterr().err
    assert not (root / "datasets/coastal-station-readings").exists()


def _column_types() -> dict[str, str]:
    """The exporter's column type -> Croissant dataType table, wherever it lives now."""
    for module in ("catalogue.standards.croissant", "catalogue.standards.jsonld"):
        try:
            types = getattr(importlib.import_module(module), "COLUMN_TYPES", None)
        except ImportError:
            continue
        if isinstance(types, dict):
            return {str(k): str(v) for k, v in types.items()}
    pytest.skip("no Croissant exporter with a COLUMN_TYPES table")


def test_export_then_import_gives_the_same_columns_types_and_files(tmp_path: Path) -> None:
    from catalogue.importers.croissant_dataset import import_croissant
    from catalogue.pipeline import load_catalogue
    from catalogue.standards.exports import EXPORT_FORMATS, asset_exports
    from catalogue.standards.jsonld import LinkedData

    example = Path(__file__).resolve().parents[1]
    catalogue, _ = load_catalogue(example, check=False)
    linked = LinkedData(catalogue)
    types = _column_types()
    checked = 0
    for record in catalogue.of_kind("dataset"):
        if not record.mappings("columns"):
            continue
        folder = tmp_path / record.slug
        folder.mkdir()
        path = folder / EXPORT_FORMATS["croissant"]
        path.write_text(asset_exports(record, linked)[EXPORT_FORMATS["croissant"]], "utf-8")
        imported = import_croissant(path, RecordStore(example)).record
        exported = json.loads(path.read_text("utf-8"))
        if not exported.get("recordSet"):
            continue  # the exporter describes fields only for data it can point at
        original = record.mappings("columns")
        columns = imported.get("columns", [])
        assert [c["name"] for c in columns] == [c["name"] for c in original], record.id
        for before, after in zip(original, columns, strict=True):
            assert types[before["data_type"]] == types[after["data_type"]], (record.id, before)
            if before["data_type"] in ("integer", "float", "boolean", "date", "datetime",
                                       "image", "audio", "category"):
                assert after["data_type"] == before["data_type"], (record.id, before)
        files = {(a["sha256"], a["size_bytes"]) for a in record.mappings("artefacts")
                 if record.status != "deleted"}
        assert {(a["sha256"], a["size_bytes"]) for a in imported.get("artefacts", [])} <= files
        published = [d for d in exported.get("distribution", []) if "containedIn" not in d]
        assert len(imported.get("artefacts", [])) == len(published)
        checked += 1
    assert checked, "no dataset of the example catalogue was exported with its record sets"
