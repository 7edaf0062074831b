"""The analyses (leaderboards, Pareto fronts, reproducibility, reuse, trends, hyperparameters)
on a small catalogue written here, against figures worked out by hand."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from catalogue.derive.carbon_rollup import carbon_report
from catalogue.derive.hyperparameters import families
from catalogue.derive.leaderboards import leaderboards, pareto_front, ranks_by_model
from catalogue.derive.metrics import METRICS, metric_for
from catalogue.derive.reproducibility import (
    config_inconsistencies,
    experiment_report,
    model_report,
)
from catalogue.derive.reuse import dataset_reuse, model_reuse
from catalogue.derive.trends import comparisons, trends
from catalogue.link.catalogue import Catalogue
from catalogue.pipeline import load_catalogue
from tests.conftest import minimal_records, write_catalogue

SHA = "a" * 64


def _model(name: str, framework: str, evaluations: list[dict[str, Any]],
           **extra: Any) -> dict[str, Any]:
    record = copy.deepcopy(minimal_records()["models/test-model"])
    record.update(name=name, framework=framework, task="tabular-classification",
                  evaluations=evaluations, **extra)
    return record


def _run(model: str, kwh: float, start: str, **extra: Any) -> dict[str, Any]:
    record = copy.deepcopy(minimal_records()["experiments/test-run"])
    record.update(name=f"Run of {model}", produced_models=[f"models/{model}"], start_time=start,
                  end_time=start.replace("T08", "T12"),
                  resource_utilizations=[{"resource": "resources/test-workstation",
                                          "start_time": start, "duration_seconds": 14400,
                                          "gpu_utilization_percent": 80,
                                          "energy_consumption_kwh": kwh}], **extra)
    return record


def _accuracy(value: float, split: str = "test") -> dict[str, Any]:
    return {"metric": "accuracy", "value": value, "dataset": "datasets/test-data",
            "split": split}


def _score(value: float) -> dict[str, Any]:
    return {"name": "test_accuracy", "metric_type": "accuracy", "split": "test", "value": value}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    records: dict[str, Any] = dict(minimal_records())
    del records["models/test-model"], records["experiments/test-run"]
    records["datasets/test-data"]["artefacts"] = [
        {"url": "https://data.example.org/test.csv", "sha256": SHA, "size_bytes": 10,
         "media_type": "text/csv", "role": "data"}]
    pinned = {"python_version": "3.11", "packages": ["numpy==2.0.0"]}
    records.update({
        # A: 0.9 for 10 kWh; B: 0.8 for 1 kWh; C: 0.9 for 5 kWh; D: no energy recorded.
        "models/model-a": _model("Model A", "pytorch", [_accuracy(0.9), _accuracy(0.7, "val")]),
        "models/model-b": _model("Model B", "pytorch",
                                 [_accuracy(0.8), {"metric": "RMSE", "value": 2.0,
                                                   "dataset": "datasets/test-data",
                                                   "split": "test"}]),
        "models/model-c": _model("Model C", "onnx", [_accuracy(0.9), _accuracy(0.85)]),
        "models/model-d": _model("Model D", "onnx", [_accuracy(0.95),
                                                     {"metric": "rmse", "value": 1.5,
                                                      "dataset": "datasets/test-data",
                                                      "split": "test"}],
                                 base_model="models/model-a"),
        "experiments/run-a": _run("model-a", 10.0, "2025-01-31T08:00:00Z", random_seed=1,
                                  code_commit_hash="0" * 40, environment_specification=pinned,
                                  reproducibility_hash="same", hyperparameters={"lr": 0.1},
                                  metrics=[_score(0.9)]),
        "experiments/run-b": _run("model-b", 1.0, "2025-03-02T08:00:00Z",
                                  environment_specification={"packages": ["numpy"]},
                                  reproducibility_hash="same", hyperparameters={"lr": 0.01},
                                  metrics=[_score(0.8), {"name": "train_loss", "split": "train",
                                                         "value": 0.1}]),
        "experiments/run-c": _run("model-c", 5.0, "2026-03-02T08:00:00Z",
                                  hyperparameters={"lr": 0.05, "optimizer": "sgd"}),
    })
    root = write_catalogue(tmp_path_factory.mktemp("analyse"), records)
    catalogue, _ = load_catalogue(root, check=False)
    return catalogue


def test_metric_registry_knows_directions_and_aliases() -> None:
    assert metric_for("Accuracy") == METRICS["accuracy"]
    assert metric_for("f1-macro") == METRICS["macro_f1"]
    assert metric_for("RMSE") == METRICS["rmse"] and not METRICS["rmse"].higher_is_better
    assert metric_for("made_up_score") is None


def test_leaderboards_rank_in_the_metric_direction_with_energy(analysed: Catalogue) -> None:
    boards = {b.slug: b for b in leaderboards(analysed, carbon_report(analysed))}
    # "val" has one model only: no board. The rmse board has B and D.
    assert set(boards) == {"tabular-classification--test-data--test--accuracy",
                           "tabular-classification--test-data--test--rmse"}
    accuracy = boards["tabular-classification--test-data--test--accuracy"]
    rows = [(e.model_id, e.rank, e.value, e.kwh, e.on_front) for e in accuracy.entries]
    # D best (no energy, so off the front); C and A tie at 0.9 (shared rank, cheaper first);
    # C's best score counts (0.9, not 0.85); A is beaten by C (same score, half the energy).
    assert rows == [("models/model-d", 1, 0.95, None, False),
                    ("models/model-c", 2, 0.9, 5.0, True),
                    ("models/model-a", 2, 0.9, 10.0, False),
                    ("models/model-b", 4, 0.8, 1.0, True)]
    assert accuracy.entries[1].experiments == ("experiments/run-c",)
    assert accuracy.entries[1].kg is not None and accuracy.entries[2].kg is not None
    assert accuracy.entries[2].kg == pytest.approx(2 * accuracy.entries[1].kg)
    rmse = boards["tabular-classification--test-data--test--rmse"]
    assert [(e.model_id, e.rank) for e in rmse.entries] == [("models/model-d", 1),
                                                            ("models/model-b", 2)]
    ranks = ranks_by_model(list(boards.values()))
    assert [(s.slug.rsplit("--", 1)[1], s.entry.rank, s.size)
            for s in ranks["models/model-b"]] == [("accuracy", 4, 4), ("rmse", 2, 2)]


def test_pareto_front_by_hand() -> None:
    lower = METRICS["rmse"]
    # (energy, rmse): the cheapest, the best, and one beaten by the cheapest on both.
    assert pareto_front([(1.0, 3.0), (9.0, 1.0), (2.0, 3.5)], lower) == {0, 1}
    assert pareto_front([(1.0, 0.5), (1.0, 0.5)], METRICS["accuracy"]) == {0, 1}


def test_reproducibility_criteria_each_flag_what_is_missing(analysed: Catalogue) -> None:
    run_a = experiment_report(analysed.records["experiments/run-a"], analysed)
    verdicts = {c.key: c.passed for c in run_a.criteria}
    assert verdicts == {"environment": True, "code_commit": True, "random_seed": True,
                        "data": True, "parity": None, "workflow": False}
    assert run_a.score == round(100 * 4 / 5)
    run_b = experiment_report(analysed.records["experiments/run-b"], analysed)
    missing = {c.key: c.detail for c in run_b.missing}
    assert set(missing) == {"environment", "code_commit", "random_seed", "workflow"}
    assert "numpy" in missing["environment"]
    run_c = experiment_report(analysed.records["experiments/run-c"], analysed)
    assert {c.key for c in run_c.missing} == {"environment", "code_commit", "random_seed",
                                              "workflow"}
    assert run_c.score == 20
    model_d = model_report(analysed.records["models/model-d"], analysed)
    assert model_d.score == 0 and len(model_d.missing) == 5


def test_config_inconsistency_names_the_differing_fields(analysed: Catalogue) -> None:
    [found] = config_inconsistencies(analysed)
    assert found.claim == "same"
    assert found.experiments == ("experiments/run-a", "experiments/run-b")
    assert set(found.differing) == {"hyperparameters", "environment_specification",
                                    "code_commit_hash"}


def test_reuse_counts_models_experiments_and_derived_works(analysed: Catalogue) -> None:
    data = dataset_reuse(analysed)["datasets/test-data"]
    assert len(data.trained_models) == 4 and len(data.evaluated_models) == 4
    assert len(data.experiments) == 3 and data.score == 7
    assert model_reuse(analysed)["models/model-a"].derived == ("models/model-d",)


def test_trends_and_comparisons_by_hand(analysed: Catalogue) -> None:
    report = carbon_report(analysed)
    found = trends(analysed, report)
    assert found.years["2025"].runs == 2 and found.years["2025"].kwh == pytest.approx(11.0)
    assert found.years["2026"].kwh == pytest.approx(5.0)
    assert found.months["2025-03"].kwh == pytest.approx(1.0)
    assert found.years["2025"].measured_share == pytest.approx(1.0)
    assert sum(p.assets_added for p in found.years.values()) == \
        sum(1 for r in analysed.records.values() if r.kind.is_asset)
    groups = comparisons(analysed, report, leaderboards(analysed, report))
    pytorch = groups.frameworks["pytorch"]
    assert (pytorch.models, pytorch.runs) == (2, 2)
    assert pytorch.kwh_per_run == pytest.approx(5.5)
    assert pytorch.median_scores()["tabular-classification--test-data--test--accuracy"] == \
        pytest.approx(0.85)
    assert groups.resources["resources/test-workstation"].median_utilisation == 80


def test_hyperparameter_family_pairs_each_value_with_the_outcome(analysed: Catalogue) -> None:
    [family] = families(analysed)
    assert [r.experiment_id for r in family.runs] == ["experiments/run-a", "experiments/run-b",
                                                      "experiments/run-c"]
    assert family.parameters == ["lr", "optimizer"]
    assert family.outcome == "test_accuracy" and family.direction is not None
    assert family.direction.higher_is_better
    assert family.numeric("lr") == [(0.1, 0.9), (0.01, 0.8)]
    assert family.numeric("optimizer") == []
