"""The loader refuses bad records with a message that names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import errors_for, findings_for, minimal_records, write_catalogue, write_record

from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding

RESEARCHER = "researchers/ada-lovelace"
RESEARCHER_FILE = f"{RESEARCHER}/record.yaml"


def _only(findings: list[Finding], rule: str) -> Finding:
    matching = [f for f in findings if f.rule == rule]
    assert len(matching) == 1, findings
    return matching[0]


def _researcher_text(extra: str = "") -> str:
    return (
        "kind: researcher\n"
        "first_name: Ada\n"
        "last_name: Lovelace\n"
        "orcid_id: 0000-0002-1825-0097\n"
        "affiliations:\n"
        "  - organizations/test-institute\n" + extra
    )


def test_valid_catalogue_has_no_findings(catalogue: Path) -> None:
    assert findings_for(catalogue) == []
    store = RecordStore(catalogue)
    assert sorted(store.paths) == sorted(minimal_records())
    record = store.get("models/test-model")
    assert record is not None and record.title == "Test Model"
    assert record.location(("framework",)).line > 1


def test_yaml_syntax_error_names_file_and_line(catalogue: Path) -> None:
    write_record(catalogue, RESEARCHER, _researcher_text("expertise_areas: [a, b\n"))
    finding = _only(errors_for(catalogue), "yaml-syntax")
    assert finding.location.path == RESEARCHER_FILE
    assert finding.location.line == 8  # the parser notices at the end of the file
    assert "YAML syntax error" in finding.message


def test_duplicate_key_names_both_lines(catalogue: Path) -> None:
    write_record(catalogue, RESEARCHER, _researcher_text("first_name: Augusta\n"))
    finding = _only(errors_for(catalogue), "duplicate-key")
    assert finding.location == (RESEARCHER_FILE, 7, 1)
    assert "'first_name'" in finding.message and "line 2" in finding.message


def test_unknown_field_suggests_nearest_name(catalogue: Path) -> None:
    records = minimal_records()
    model = records["models/test-model"]
    model["licence"] = model.pop("license")
    write_catalogue(catalogue, {"models/test-model": model})
    findings = errors_for(catalogue)
    unknown = _only(findings, "schema") if len(findings) == 1 else next(
        f for f in findings if f.field == "licence")
    assert unknown.location.path == "models/test-model/record.yaml"
    text = (catalogue / "models/test-model/record.yaml").read_text().splitlines()
    assert text[unknown.location.line - 1].startswith("licence:")
    assert "did you mean 'license'" in unknown.message
    assert unknown.field == "licence"


def test_misspelt_field_in_nested_mapping(catalogue: Path) -> None:
    records = minimal_records()
    records["experiments/test-run"]["datasets"][0]["rol"] = "training"
    write_catalogue(catalogue, {"experiments/test-run": records["experiments/test-run"]})
    finding = next(f for f in errors_for(catalogue) if f.field == "datasets[0].rol")
    assert "did you mean 'role'" in finding.message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("num_records", "10k", "expected a whole number, found '10k'"),
        ("version", 1.0, "expected text, found the number 1.0 (quote it"),
        ("subjects", "climate", "expected a list"),
        ("format", "CSV", "did you mean 'csv'"),
        ("created_at", "14/10/2025", "not a valid iso8601-date-or-datetime"),
        ("license", "Apache 2", "unknown SPDX licence identifier"),
        ("license", "mit", "write it in SPDX form: 'MIT'"),
        ("persistent_identifier", "10.5555/123", "not in the expected form"),
    ],
)
def test_wrong_values_name_line_field_found_and_expected(
        catalogue: Path, field: str, value: object, expected: str) -> None:
    records = minimal_records()
    records["datasets/test-data"][field] = value
    write_catalogue(catalogue, {"datasets/test-data": records["datasets/test-data"]})
    finding = next(f for f in errors_for(catalogue) if f.field == field)
    assert finding.location.path == "datasets/test-data/record.yaml"
    line = (catalogue / finding.location.path).read_text().splitlines()[finding.location.line - 1]
    assert line.startswith(f"{field}:")
    assert f"field '{field}'" in finding.message
    assert expected in finding.message


def test_missing_required_field_is_named(catalogue: Path) -> None:
    records = minimal_records()
    del records["models/test-model"]["license"]
    write_catalogue(catalogue, {"models/test-model": records["models/test-model"]})
    finding = next(f for f in errors_for(catalogue) if "license" in f.message)
    assert finding.location.path == "models/test-model/record.yaml"
    assert "missing required field 'license'" in finding.message


def test_datetime_without_time_zone_is_refused(catalogue: Path) -> None:
    records = minimal_records()
    records["experiments/test-run"]["start_time"] = "2025-01-31T08:00:00"
    write_catalogue(catalogue, {"experiments/test-run": records["experiments/test-run"]})
    finding = next(f for f in errors_for(catalogue) if f.field == "start_time")
    assert "no time zone" in finding.message


def test_kind_that_does_not_match_folder(catalogue: Path) -> None:
    write_record(catalogue, RESEARCHER, _researcher_text().replace("researcher", "dataset", 1))
    finding = _only(errors_for(catalogue), "kind-mismatch")
    assert finding.location == (RESEARCHER_FILE, 1, 1)
    assert finding.field == "kind"
    assert "move the folder to datasets/" in finding.message


def test_id_that_does_not_match_folder(catalogue: Path) -> None:
    write_record(catalogue, RESEARCHER, "id: researchers/ada\n" + _researcher_text())
    finding = _only(errors_for(catalogue), "id-mismatch")
    assert finding.location == (RESEARCHER_FILE, 1, 1)
    assert "'researchers/ada-lovelace'" in finding.message


@pytest.mark.parametrize("folder", ["Ada_Lovelace", "ada--lovelace", "-ada"])
def test_slug_must_be_lower_case_hyphenated(catalogue: Path, folder: str) -> None:
    write_record(catalogue, f"researchers/{folder}", _researcher_text())
    finding = _only(errors_for(catalogue), "slug")
    assert finding.location.path == f"researchers/{folder}"
    assert "not a valid slug" in finding.message


def test_folder_without_record_file(catalogue: Path) -> None:
    (catalogue / "models" / "empty-model").mkdir()
    finding = _only(errors_for(catalogue), "layout")
    assert "has no record.yaml" in finding.message


def test_alias_bomb_is_refused_quickly(catalogue: Path) -> None:
    bomb = "".join(
        f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}" if i else "x"] * 10)
        + "]\n" for i in range(9))
    write_record(catalogue, RESEARCHER, _researcher_text() + "extra:\n  " + bomb.replace(
        "\n", "\n  "))
    finding = _only(errors_for(catalogue), "yaml-too-complex")
    assert finding.location.path == RESEARCHER_FILE
    assert finding.location.line >= 8
    assert "aliases" in finding.message


def test_oversized_file_is_refused_before_parsing(catalogue: Path) -> None:
    write_record(catalogue, RESEARCHER, _researcher_text() + "# " + "x" * 1_100_000 + "\n")
    finding = _only(errors_for(catalogue), "too-large")
    assert finding.location.path == RESEARCHER_FILE
    assert "at most 1,048,576 bytes" in finding.message


def test_unsafe_tag_is_refused(catalogue: Path) -> None:
    write_record(catalogue, RESEARCHER,
                 _researcher_text("website: !!python/object/apply:os.system ['true']\n"))
    finding = _only(errors_for(catalogue), "yaml-tag")
    assert finding.location == (RESEARCHER_FILE, 7, 10)


def test_yaml_11_booleans_and_dates_stay_text(catalogue: Path) -> None:
    """``no`` is not false and an ISO date is not a datetime object: nothing changes silently."""
    records = minimal_records()
    records["organizations/test-institute"]["location"]["country"] = "NO"
    write_catalogue(catalogue, {"organizations/test-institute": records[
        "organizations/test-institute"]})
    text = (catalogue / "organizations/test-institute/record.yaml").read_text()
    assert "country: 'NO'" in text  # PyYAML quotes it; rewrite it bare as a person would
    (catalogue / "organizations/test-institute/record.yaml").write_text(
        text.replace("country: 'NO'", "country: NO"))
    assert findings_for(catalogue) == []
    record = RecordStore(catalogue).get("organizations/test-institute")
    assert record is not None and record.data["location"]["country"] == "NO"
    dataset = RecordStore(catalogue).get("datasets/test-data")
    assert dataset is not None and dataset.data["created_at"] == "2025-01-01"


def test_empty_and_non_mapping_records(catalogue: Path) -> None:
    write_record(catalogue, RESEARCHER, "")
    assert "found an empty file" in _only(errors_for(catalogue), "schema").message
    write_record(catalogue, RESEARCHER, "- a\n- b\n")
    assert "found a list" in _only(errors_for(catalogue), "schema").message


def test_not_utf8(catalogue: Path) -> None:
    path = write_record(catalogue, RESEARCHER, _researcher_text())
    path.write_bytes(path.read_bytes() + b"expertise_areas: [\xff]\n")
    finding = _only(errors_for(catalogue), "encoding")
    assert finding.location.line == 7


def test_variant_fields_belong_to_their_resource_type(catalogue: Path) -> None:
    records = minimal_records()
    resource = records["resources/test-workstation"]
    resource["cluster_name"] = "not a cluster"
    write_catalogue(catalogue, {"resources/test-workstation": resource})
    finding = next(f for f in errors_for(catalogue) if f.field == "cluster_name")
    assert "another variant" in finding.message


def test_settings_file_is_validated(catalogue: Path) -> None:
    (catalogue / "catalogue.yaml").write_text("title: My hub\nsite_url: not a url\n")
    finding = next(f for f in errors_for(catalogue) if f.field == "site_url")
    assert finding.location == ("catalogue.yaml", 2, 1)


def test_records_round_trip_through_safe_dump(catalogue: Path) -> None:
    """What the loader reads is exactly what the file says."""
    store = RecordStore(catalogue)
    for record in store.load_all():
        assert yaml.safe_load((catalogue / record.file).read_text()) == record.data
