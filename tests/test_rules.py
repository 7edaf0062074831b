"""Rules that span fields: times, durations, lifecycle, identifiers and counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import errors_for, findings_for, minimal_records, write_catalogue

from catalogue.check.rules import orcid_checksum_ok, ror_checksum_ok


def _with(catalogue: Path, record_id: str, **changes: Any) -> Path:
    record = minimal_records()[record_id]
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return write_catalogue(catalogue, {record_id: record})


def test_end_time_before_start_time(catalogue: Path) -> None:
    _with(catalogue, "experiments/test-run", end_time="2025-01-31T07:00:00Z", duration_seconds=None)
    finding = next(f for f in errors_for(catalogue) if f.rule == "time-order")
    assert finding.field == "end_time"
    assert "is before start_time" in finding.message


def test_duration_must_match_times(catalogue: Path) -> None:
    _with(catalogue, "experiments/test-run", duration_seconds=3600)
    finding = next(f for f in errors_for(catalogue) if f.rule == "duration")
    assert finding.field == "duration_seconds"
    assert "3600 s" in finding.message and "14400 s" in finding.message


def test_duration_within_a_minute_is_fine(catalogue: Path) -> None:
    _with(catalogue, "experiments/test-run", duration_seconds=14430)
    assert findings_for(catalogue) == []


def test_deleted_record_keeps_no_downloads(catalogue: Path) -> None:
    artefact = {"url": "https://example.org/model.onnx", "sha256": "a" * 64,
                "size_bytes": 10, "media_type": "application/octet-stream", "role": "onnx"}
    _with(catalogue, "models/test-model", status="deleted", status_reason="Withdrawn.",
          artefacts=[artefact])
    finding = next(f for f in errors_for(catalogue) if f.rule == "lifecycle")
    assert "deleted record keeps its metadata but no files" in finding.message
    assert finding.location.path == "models/test-model/record.yaml"


@pytest.mark.parametrize("status", ["deprecated", "deleted"])
def test_deprecated_or_deleted_record_says_why(catalogue: Path, status: str) -> None:
    _with(catalogue, "datasets/test-data", status=status)
    finding = next(f for f in errors_for(catalogue) if f.rule == "lifecycle")
    assert finding.field == "status_reason"
    assert f"a {status} record must say why" in finding.message


def test_active_record_is_not_replaced(catalogue: Path) -> None:
    _with(catalogue, "datasets/test-data", replaced_by="datasets/test-data")
    assert any(f.rule == "lifecycle" and f.field == "replaced_by" for f in errors_for(catalogue))


def test_orcid_checksum() -> None:
    assert orcid_checksum_ok("0000-0002-1825-0097")
    assert orcid_checksum_ok("0000-0001-5109-3700")
    assert orcid_checksum_ok("0000-0002-1694-233X")
    assert not orcid_checksum_ok("0000-0002-1825-0098")


def test_ror_checksum(catalogue: Path) -> None:
    assert ror_checksum_ok("05gq02987") and ror_checksum_ok("02mhbdp94")
    _with(catalogue, "organizations/test-institute", ror_id="05gq02986")
    finding = next(f for f in errors_for(catalogue) if f.rule == "ror")
    assert finding.field == "ror_id" and "fails the ROR checksum" in finding.message


def test_bad_orcid_is_reported(catalogue: Path) -> None:
    _with(catalogue, "researchers/ada-lovelace", orcid_id="0000-0002-1825-0098")
    finding = next(f for f in errors_for(catalogue) if f.rule == "orcid")
    assert finding.field == "orcid_id"


def test_num_features_must_match_columns(catalogue: Path) -> None:
    columns = [{"name": "a", "data_type": "float"}, {"name": "b", "data_type": "float"},
               {"name": "y", "data_type": "category", "role": "target"}]
    _with(catalogue, "datasets/test-data", columns=columns, num_features=3)
    finding = next(f for f in errors_for(catalogue) if f.rule == "counts")
    assert "columns lists 2 feature column(s)" in finding.message


def test_embargo_needs_a_date(catalogue: Path) -> None:
    _with(catalogue, "datasets/test-data", access_rights="embargoed")
    assert any("embargo_until" in f.message for f in errors_for(catalogue))


def test_fine_tuning_names_its_base_model(catalogue: Path) -> None:
    _with(catalogue, "experiments/test-run", experiment_type="fine-tuning")
    finding = next(f for f in errors_for(catalogue) if f.rule == "experiment")
    assert finding.field == "base_model"
