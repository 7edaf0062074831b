"""References resolve to records of the right kind, chains do not loop, and both sides of a
relation agree."""

from __future__ import annotations

from pathlib import Path

from conftest import errors_for, minimal_records, write_catalogue


def _line_of(root: Path, file: str, line: int) -> str:
    return (root / file).read_text().splitlines()[line - 1]


def test_unresolved_reference_suggests_existing_id(catalogue: Path) -> None:
    records = minimal_records()
    records["models/test-model"]["training_datasets"] = ["datasets/test-dta"]
    write_catalogue(catalogue, {"models/test-model": records["models/test-model"]})
    finding = next(f for f in errors_for(catalogue) if f.rule == "unresolved-reference")
    assert finding.location.path == "models/test-model/record.yaml"
    assert "datasets/test-dta" in _line_of(catalogue, finding.location.path,
                                           finding.location.line)
    assert finding.field == "training_datasets[0]"
    assert "did you mean 'datasets/test-data'" in finding.message


def test_reference_to_wrong_kind(catalogue: Path) -> None:
    records = minimal_records()
    records["models/test-model"]["parent_version"] = "datasets/test-data"
    write_catalogue(catalogue, {"models/test-model": records["models/test-model"]})
    finding = next(f for f in errors_for(catalogue) if f.rule == "wrong-kind-reference")
    assert finding.field == "parent_version"
    assert "is a dataset, but this field refers to a model" in finding.message


def test_parent_version_cycle(catalogue: Path) -> None:
    records = minimal_records()
    first = records["models/test-model"]
    second = dict(first, version="2.0.0", parent_version="models/test-model")
    first["parent_version"] = "models/test-model-2"
    first["version"] = "1.0.0"
    write_catalogue(catalogue, {"models/test-model": first, "models/test-model-2": second})
    cycles = [f for f in errors_for(catalogue) if f.rule == "cycle"]
    assert {f.record_id for f in cycles} == {"models/test-model", "models/test-model-2"}
    assert all("models/test-model -> models/test-model-2 -> models/test-model" in f.message
               or "models/test-model-2 -> models/test-model -> models/test-model-2" in f.message
               for f in cycles)


def test_self_reference_is_a_cycle(catalogue: Path) -> None:
    records = minimal_records()
    records["models/test-model"]["base_model"] = "models/test-model"
    write_catalogue(catalogue, {"models/test-model": records["models/test-model"]})
    finding = next(f for f in errors_for(catalogue) if f.rule == "cycle")
    assert finding.field == "base_model"


def test_training_datasets_must_agree_with_experiment(catalogue: Path) -> None:
    records = minimal_records()
    other = dict(records["datasets/test-data"], name="Other data")
    records["experiments/test-run"]["datasets"].append(
        {"dataset": "datasets/other-data", "role": "training"})
    write_catalogue(catalogue, {"datasets/other-data": other,
                                "experiments/test-run": records["experiments/test-run"]})
    finding = next(f for f in errors_for(catalogue) if f.rule == "inconsistent-relation")
    assert finding.record_id == "models/test-model"
    assert finding.field == "training_datasets"
    assert "experiments/test-run" in finding.message and "datasets/other-data" in finding.message


def test_base_model_must_agree_with_experiment(catalogue: Path) -> None:
    records = minimal_records()
    base = dict(records["models/test-model"], name="Base", training_datasets=[])
    records["models/test-model"]["base_model"] = "models/base-model"
    experiment = records["experiments/test-run"]
    experiment["experiment_type"] = "fine-tuning"
    experiment["base_model"] = "models/other-base"
    write_catalogue(catalogue, {"models/base-model": base, "models/other-base": base,
                                "models/test-model": records["models/test-model"],
                                "experiments/test-run": experiment})
    finding = next(f for f in errors_for(catalogue) if f.rule == "inconsistent-relation")
    assert finding.field == "base_model"
    assert "'models/base-model'" in finding.message and "'models/other-base'" in finding.message


def test_new_version_needs_its_own_version_string(catalogue: Path) -> None:
    records = minimal_records()
    child = dict(records["datasets/test-data"], parent_version="datasets/test-data")
    write_catalogue(catalogue, {"datasets/test-data-2": child})
    finding = next(f for f in errors_for(catalogue) if f.rule == "version")
    assert finding.record_id == "datasets/test-data-2"
