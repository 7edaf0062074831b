"""Hyperparameter exploration: experiments grouped into families (the same training dataset
and task; runs of different workflow versions on the same data belong together) with each
hyperparameter beside the family's outcome metric."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from catalogue.derive.metrics import Metric, metric_for
from catalogue.link.catalogue import Catalogue
from catalogue.model.lifecycle import DELETED
from catalogue.model.records import Record

TRAINING_ROLES = ("training", "fine-tuning")
EVALUATION_SPLITS = ("test", "validation")


@dataclass(frozen=True)
class Run:
    experiment_id: str
    hyperparameters: dict[str, Any]
    outcome: float | None


@dataclass(frozen=True)
class Family:
    key: str
    title: str
    outcome: str | None
    """The metric name most of the family's runs report on an evaluation split."""
    direction: Metric | None
    runs: tuple[Run, ...]

    @property
    def parameters(self) -> list[str]:
        return sorted({k for r in self.runs for k in r.hyperparameters})

    def numeric(self, name: str) -> list[tuple[float, float]]:
        """(hyperparameter, outcome) of the runs where both are numbers."""
        return [(float(v), r.outcome) for r in self.runs
                if isinstance(v := r.hyperparameters.get(name), int | float)
                and not isinstance(v, bool) and r.outcome is not None]

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "outcome": self.outcome,
                "higher_is_better": self.direction.higher_is_better if self.direction else None,
                "parameters": self.parameters,
                "runs": [{"experiment": r.experiment_id, "hyperparameters": r.hyperparameters,
                          "outcome": r.outcome} for r in self.runs]}


def family_key(experiment: Record, catalogue: Catalogue) -> tuple[str, str]:
    usages = experiment.mappings("datasets")
    training = next((u for u in usages if u.get("role") in TRAINING_ROLES), None) or \
        (usages[0] if usages else {})
    dataset = str(training.get("dataset") or "no dataset")
    tasks = [str(m.data["task"]) for i in catalogue.graph.related(experiment.id,
                                                                  "produced_models")
             if (m := catalogue.get(i)) is not None and m.data.get("task")]
    task = tasks[0] if tasks else "unspecified task"
    return f"data:{dataset}:{task}", f"{task} on {catalogue.title_of(dataset)}"


def _outcome_name(members: list[Record]) -> str | None:
    counts = Counter(str(m["name"]) for e in members for m in e.mappings("metrics")
                     if m.get("split") in EVALUATION_SPLITS and m.get("name")
                     and isinstance(m.get("value"), int | float))
    if not counts:
        return None
    return sorted(counts.items(), key=lambda item: (-item[1], EVALUATION_SPLITS.index(
        next(str(m.get("split")) for e in members for m in e.mappings("metrics")
             if m.get("name") == item[0])), item[0]))[0][0]


def families(catalogue: Catalogue, minimum: int = 2) -> list[Family]:
    """Families of at least ``minimum`` experiments, largest first."""
    groups: dict[tuple[str, str], list[Record]] = {}
    for experiment in catalogue.of_kind("experiment"):
        if experiment.status != DELETED:
            groups.setdefault(family_key(experiment, catalogue), []).append(experiment)
    result = []
    for (key, title), members in groups.items():
        if len(members) < minimum:
            continue
        outcome = _outcome_name(members)
        runs = []
        for experiment in sorted(members, key=lambda r: r.id):
            value = next((m.get("value") for m in experiment.mappings("metrics")
                          if m.get("name") == outcome), None)
            hyper = experiment.data.get("hyperparameters")
            runs.append(Run(experiment.id, dict(hyper) if isinstance(hyper, dict) else {},
                            float(value) if isinstance(value, int | float) else None))
        result.append(Family(key, title, outcome, metric_for(outcome) or _stated(members,
                                                                                 outcome),
                             tuple(runs)))
    return sorted(result, key=lambda f: (-len(f.runs), f.key))


def _stated(members: list[Record], outcome: str | None) -> Metric | None:
    """The direction of a metric the registry does not know by name: its ``metric_type``'s,
    else the direction a run states."""
    for experiment in members:
        for metric in experiment.mappings("metrics"):
            if metric.get("name") != outcome:
                continue
            known = metric_for(metric.get("metric_type"))
            if known is not None:
                return Metric(str(outcome), str(outcome), known.higher_is_better)
            if isinstance(metric.get("higher_is_better"), bool):
                return Metric(str(outcome), str(outcome), metric["higher_is_better"])
    return None
