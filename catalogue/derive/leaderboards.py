"""Leaderboards: one per (task, dataset, split, metric) that at least two models were evaluated
on, ranked in the metric's direction, with each model's training energy and CO2e beside its
score and the Pareto front of score against energy marked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from catalogue.derive.carbon_rollup import CarbonReport
from catalogue.derive.metrics import Metric, metric_for
from catalogue.derive.parity_status import parity_status
from catalogue.link.catalogue import Catalogue
from catalogue.model.lifecycle import DELETED
from catalogue.model.records import Record

MINIMUM_ENTRIES = 2
NO_TASK = "unspecified task"


@dataclass(frozen=True)
class Entry:
    model_id: str
    name: str
    version: str | None
    framework: str | None
    size_bytes: int | None
    parity: str
    value: float
    kwh: float | None
    """Training energy of the model's own experiments (None: none recorded its resource use)."""
    kg: float | None
    measured_share: float | None
    experiments: tuple[str, ...]
    """The evidence: the experiments that produced the model."""
    rank: int = 0
    on_front: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "model": self.model_id, "name": self.name,
                "version": self.version, "framework": self.framework,
                "size_bytes": self.size_bytes, "parity": self.parity, "value": self.value,
                "training_kwh": self.kwh, "training_kg_co2e": self.kg,
                "measured_share": self.measured_share, "pareto_front": self.on_front,
                "experiments": list(self.experiments)}


@dataclass
class Leaderboard:
    task: str
    dataset_id: str
    dataset_name: str
    split: str
    metric: Metric
    entries: list[Entry] = field(default_factory=list)

    @property
    def slug(self) -> str:
        parts = (self.task, self.dataset_id.rsplit("/", 1)[-1], self.split, self.metric.key)
        return "--".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") or "x" for p in parts)

    @property
    def title(self) -> str:
        return f"{self.metric.display} on {self.dataset_name} ({self.split})"

    def as_json(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.title, "task": self.task,
                "dataset": self.dataset_id, "split": self.split, "metric": self.metric.key,
                "metric_name": self.metric.display,
                "higher_is_better": self.metric.higher_is_better,
                "entries": [e.as_json() for e in self.entries]}


def model_size(model: Record) -> int | None:
    """The size of the model's ONNX file, else its largest weights file."""
    sizes = [(a.get("role") == "onnx", a["size_bytes"]) for a in model.mappings("artefacts")
             if a.get("role") in ("onnx", "weights") and isinstance(a.get("size_bytes"), int)]
    return max(sizes)[1] if sizes else None


def better(metric: Metric, a: float, b: float) -> bool:
    return a > b if metric.higher_is_better else a < b


def pareto_front(points: list[tuple[float, float]], metric: Metric) -> set[int]:
    """Indices of the (energy, score) points that no other point beats: none uses no more
    energy for at least as good a score, with one of the two strictly better."""
    front = set()
    for i, (cost, score) in enumerate(points):
        dominated = any(
            other_cost <= cost and not better(metric, score, other_score)
            and (other_cost < cost or better(metric, other_score, score))
            for j, (other_cost, other_score) in enumerate(points) if j != i)
        if not dominated:
            front.add(i)
    return front


def ranked(entries: list[Entry], metric: Metric) -> list[Entry]:
    """Best first; equal scores share a rank (1, 2, 2, 4), then the cheaper run comes first."""
    sign = -1 if metric.higher_is_better else 1
    order = sorted(entries, key=lambda e: (sign * e.value, e.kwh is None, e.kwh or 0.0,
                                           e.model_id))
    with_energy = [i for i, e in enumerate(order) if e.kwh is not None]
    front = {with_energy[i] for i in pareto_front(
        [(order[i].kwh or 0.0, order[i].value) for i in with_energy], metric)}
    result: list[Entry] = []
    for position, entry in enumerate(order):
        rank = result[-1].rank if result and result[-1].value == entry.value else position + 1
        result.append(Entry(**{**entry.__dict__, "rank": rank, "on_front": position in front}))
    return result


def _entry(model: Record, value: float, carbon: CarbonReport) -> Entry:
    footprint = carbon.models.get(model.id)
    own = footprint.own if footprint is not None and footprint.own.runs else None
    share = own.estimated_share if own is not None else None
    version = model.data.get("version")
    framework = model.data.get("framework")
    return Entry(model.id, model.title, str(version) if version is not None else None,
                 str(framework) if framework is not None else None, model_size(model),
                 parity_status(model), value, own.kwh if own else None,
                 own.kg if own else None, None if share is None else 1 - share,
                 tuple(footprint.experiments) if footprint else ())


def leaderboards(catalogue: Catalogue, carbon: CarbonReport) -> list[Leaderboard]:
    """Every leaderboard with at least two models, ordered by task, then dataset, split and
    metric. A model evaluated twice on the same board counts with its best score."""
    boards: dict[tuple[str, str, str, str], Leaderboard] = {}
    best: dict[tuple[str, str, str, str], dict[str, float]] = {}
    models = {m.id: m for m in catalogue.of_kind("model") if m.status != DELETED}
    for model in models.values():
        task = str(model.data.get("task") or NO_TASK)
        for evaluation in model.mappings("evaluations"):
            metric = metric_for(evaluation.get("metric"))
            dataset, value = evaluation.get("dataset"), evaluation.get("value")
            if metric is None or not isinstance(dataset, str) or isinstance(value, bool) \
                    or not isinstance(value, int | float):
                continue
            split = str(evaluation.get("split") or "unspecified split")
            key = (task, dataset, split, metric.key)
            if key not in boards:
                boards[key] = Leaderboard(task, dataset, catalogue.title_of(dataset), split,
                                          metric)
            scores = best.setdefault(key, {})
            if model.id not in scores or better(metric, float(value), scores[model.id]):
                scores[model.id] = float(value)
    result = []
    for key in sorted(boards):
        if len(best[key]) < MINIMUM_ENTRIES:
            continue
        board = boards[key]
        board.entries = ranked([_entry(models[i], v, carbon) for i, v in best[key].items()],
                               board.metric)
        result.append(board)
    return result


class Standing(NamedTuple):
    """A model's place on one leaderboard, as its page shows it: the board's name and size and
    the model's own entry, not the whole board (so another model's entry reaches the page only
    through this one's rank, or the board's size)."""

    slug: str
    title: str
    task: str
    size: int
    entry: Entry


def ranks_by_model(boards: list[Leaderboard]) -> dict[str, list[Standing]]:
    """For each model, the leaderboards it appears on with its entry (and so its rank)."""
    found: dict[str, list[Standing]] = {}
    for board in boards:
        for entry in board.entries:
            found.setdefault(entry.model_id, []).append(
                Standing(board.slug, board.title, board.task, len(board.entries), entry))
    return found
