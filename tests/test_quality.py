"""The FAIR quality score: its checks, the example catalogue's scores, the minimum for new or
changed assets (named, and against a git base), and ``omh quality``."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import minimal_records, write_catalogue

from catalogue.derive.quality import PRINCIPLES, QUALITY_CHECKS, quality_report, quality_reports
from catalogue.load.store import RecordStore
from catalogue.model.kinds import KINDS
from catalogue.pipeline import load_catalogue, validate
from omh.cli import main

REPOSITORY = Path(__file__).resolve().parents[1]


def _settings(root: Path, quality: dict[str, Any]) -> None:
    (root / "catalogue.yaml").write_text(yaml.safe_dump({"title": "Test", "quality": quality}),
                                         encoding="utf-8")


def _report(root: Path, record_id: str) -> Any:
    store = RecordStore(root)
    record = store.get(record_id)
    assert record is not None
    return quality_report(record, store)


def _quality_errors(root: Path, paths: list[Path] | None = None,
                    base: str | None = None) -> list[Any]:
    findings, _ = validate(root, paths, base=base)
    return [f for f in findings if f.rule == "quality"]


# -- the checks ----------------------------------------------------------------------------


def test_checks_are_named_weighted_and_in_principle_order() -> None:
    ids = [check.id for check in QUALITY_CHECKS]
    assert len(ids) == len(set(ids))
    order = list(PRINCIPLES)
    positions = [order.index(check.principle) for check in QUALITY_CHECKS]
    assert positions == sorted(positions)
    assert {check.principle for check in QUALITY_CHECKS} == set(PRINCIPLES)
    for check in QUALITY_CHECKS:
        assert check.weight > 0 and check.fix and check.title
        assert check.kinds and check.kinds <= {k.name for k in KINDS.values() if k.is_asset}


def test_contributing_documents_every_check_with_its_weight() -> None:
    guide = (REPOSITORY / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for check in QUALITY_CHECKS:
        row = re.search(rf"^\| {re.escape(check.principle)} \| `{check.id}` \| (\d+) \|", guide,
                        re.MULTILINE)
        assert row is not None, f"CONTRIBUTING.md does not list {check.id}"
        assert int(row.group(1)) == check.weight, check.id


def test_example_catalogue_meets_its_own_minimum() -> None:
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    minimum = catalogue.settings.quality.minimum_score
    assert minimum == 60
    reports = quality_reports(catalogue, catalogue.records.values())
    assert set(reports) == {r.id for r in catalogue.records.values() if r.kind.is_asset}
    for record_id, report in reports.items():
        assert report.score >= minimum, (record_id, report.score, report.failed)
        assert report.score == report.earned * 100 // report.possible
    iris = reports["models/iris-softmax-classifier"]
    passed = {c.id for c in iris.checks if c.passed}
    assert {"parity-evidence", "card", "carbon-reported", "provenance",
            "community-format"} <= passed
    assert {c.id for c in iris.failed} == {"persistent-identifier", "creator-identifiers"}
    assert reports["models/climate-detection-resnet"].failed[0].id == "parity-evidence"


def test_the_store_and_the_catalogue_agree() -> None:
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    record = catalogue.records["models/weather-forecaster"]
    from_graph = quality_report(record, catalogue)
    from_store = quality_report(record, RecordStore(REPOSITORY))
    assert from_graph.as_dict() == from_store.as_dict()
    many = quality_reports(catalogue, catalogue.records.values())[record.id]
    assert many.as_dict() == from_graph.as_dict()
    provenance = next(c for c in many.checks if c.id == "provenance")
    assert provenance.detail == "produced by experiments/weather-forecast-hpc-training"


def test_bare_model_fails_with_fixes_and_each_fix_raises_the_score(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path, dict(minimal_records()))
    report = _report(root, "models/test-model")
    failed = {c.id: c for c in report.failed}
    assert {"persistent-identifier", "description", "descriptive-fields", "keywords",
            "parity-evidence", "community-format"} <= set(failed)
    assert failed["descriptive-fields"].detail.startswith("missing architecture, ")
    assert "add architecture" in (failed["descriptive-fields"].fix or "")
    assert {c.id for c in report.checks if c.passed} >= {"card", "carbon-reported",
                                                         "provenance", "license"}
    assert next(c for c in report.checks if c.id == "lifecycle").status == "n/a"
    model = minimal_records()["models/test-model"]
    model.update(persistent_identifier="doi:10.5281/zenodo.1234567",
                 subjects=["botany", "tests"], task="tabular-classification")
    write_catalogue(root, {"models/test-model": model})
    better = _report(root, "models/test-model")
    assert better.score > report.score
    assert better.earned == report.earned + sum(
        failed[i].weight for i in ("persistent-identifier", "keywords", "vocabulary"))
    assert {"persistent-identifier", "keywords", "vocabulary"}.isdisjoint(
        c.id for c in better.failed)
    assert better.as_dict()["facets"]["Findable"]["earned"] > \
        report.as_dict()["facets"]["Findable"]["earned"]


def test_deprecated_without_replacement_and_restricted_access(tmp_path: Path) -> None:
    records = dict(minimal_records())
    records["datasets/test-data"] = dict(records["datasets/test-data"], status="deprecated",
                                         status_reason="Superseded.", access_rights="restricted")
    root = write_catalogue(tmp_path, records)
    report = _report(root, "datasets/test-data")
    results = {c.id: c for c in report.checks}
    assert results["lifecycle"].status == "fail" and "replaced_by" in (results["lifecycle"].fix
                                                                       or "")
    assert results["access-conditions"].status == "fail"
    card = root / "datasets/test-data/README.md"
    card.write_text(card.read_text() + "\n## Access\n\nWrite to data@example.org.\n")
    assert _report(root, "datasets/test-data").checks[
        [c.id for c in report.checks].index("access-conditions")].passed


# -- the minimum ---------------------------------------------------------------------------


def test_minimum_applies_to_the_records_named(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = write_catalogue(tmp_path, dict(minimal_records()))
    _settings(root, {"minimum_score": 60})
    assert _quality_errors(root) == []  # everything, no base: published records are not failed
    errors = _quality_errors(root, [root / "models/test-model/record.yaml"])
    assert [e.record_id for e in errors] == ["models/test-model"]
    message = errors[0].message
    assert message.startswith("quality score ") and "below the minimum of 60" in message
    assert "F1 persistent-identifier (+" in message and "omh quality models/test-model" in message
    assert errors[0].location.path == "models/test-model/record.yaml"
    # the experiment that refers to the model is checked too, but not held to the minimum
    assert main(["validate", "--root", str(root), "--format", "github",
                 str(root / "models/test-model")]) == 1
    assert "title=quality::quality score" in capsys.readouterr().out


def test_minimum_zero_or_apply_to_all(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path, dict(minimal_records()))
    assert _quality_errors(root, [root / "models/test-model"]) == []  # no minimum set
    _settings(root, {"minimum_score": 60, "apply_to": "all"})
    assert {e.record_id for e in _quality_errors(root)} == {
        "models/test-model", "datasets/test-data", "experiments/test-run"}
    records = minimal_records()
    deleted = dict(records["models/test-model"], status="deleted", status_reason="Withdrawn.")
    write_catalogue(root, {"models/test-model": deleted})
    assert "models/test-model" not in {e.record_id for e in _quality_errors(root)}


def test_settings_are_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_catalogue(tmp_path, dict(minimal_records()))
    _settings(root, {"minimum_score": 101, "apply_to": "some"})
    assert main(["validate", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "catalogue.yaml" in out and "quality.minimum_score" in out


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=root, check=True, capture_output=True)


def test_minimum_applies_to_what_changed_since_the_base(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path, dict(minimal_records()))
    _settings(root, {"minimum_score": 60})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "base")
    assert _quality_errors(root, base="main") == []  # nothing changed
    card = root / "datasets/test-data/README.md"
    card.write_text(card.read_text() + "\nMore words.\n")  # a card-only change counts
    assert [e.record_id for e in _quality_errors(root, base="main")] == ["datasets/test-data"]
    write_catalogue(root, {"models/new-model": dict(minimal_records()["models/test-model"],
                                                    name="New")})  # untracked: new
    assert {e.record_id for e in _quality_errors(root, base="main")} == {
        "datasets/test-data", "models/new-model"}
    # paths and base together: the named records that changed
    assert [e.record_id for e in _quality_errors(
        root, [root / "models/new-model", root / "models/test-model"], base="main")] == [
        "models/new-model"]
    assert main(["validate", "--root", str(root), "--base", "no-such-ref"]) == 2


# -- omh quality ---------------------------------------------------------------------------


def test_quality_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_catalogue(tmp_path, dict(minimal_records()))
    _settings(root, {"minimum_score": 60})
    assert main(["quality", "--root", str(root)]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["SCORE", "F", "A", "I", "R", "ASSET"]
    assert re.search(r"^\s+\d+ .* models/test-model \(below minimum\)$", table, re.MULTILINE)
    assert "researchers/" not in table
    assert main(["quality", "--root", str(root), "models/test-model/record.yaml"]) == 0
    details = capsys.readouterr().out
    assert details.startswith("models/test-model: quality score ")
    assert re.search(r"^  F1 Findable: .* \[0/3\]$", details, re.MULTILINE)
    assert re.search(r"^    FAIL  persistent-identifier \(weight 3\): no persistent_identifier",
                     details, re.MULTILINE)
    assert re.search(r"^          fix \(\+\d+\): register a DOI", details, re.MULTILINE)
    assert main(["quality", "--root", str(root), "--check", "models/test-model"]) == 1
    capsys.readouterr()
    assert main(["quality", "--root", str(root), "--format", "json", "datasets/test-data"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["minimum_score"] == 60
    asset = data["assets"][0]
    assert asset["record"] == "datasets/test-data"
    assert asset["score"] == asset["earned"] * 100 // asset["possible"]
    assert {c["principle"] for c in asset["checks"]} >= {"F1", "R1.1"}
    assert main(["quality", "--root", str(root), "models/test-modle"]) == 2
    assert "did you mean 'models/test-model'" in capsys.readouterr().err
    assert main(["quality", "--root", str(root), "researchers/ada-lovelace"]) == 2
    assert "only models, datasets and experiments" in capsys.readouterr().err
