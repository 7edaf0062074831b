"""A run's metric histories as the experiment's ``metrics``: the last value, and every logged
point (step, value, time) as ``steps``; the kind of metric, the split and its direction from
the metric's name."""

from __future__ import annotations

import math
import re
from typing import Any

from catalogue.importers.result import Inline
from catalogue.importers.values import iso_from_millis

METRIC_TYPES = (  # the first pattern that matches the name wins
    ("loss", re.compile(r"loss|cross.?entropy|nll|perplexity")),
    ("accuracy", re.compile(r"acc(uracy)?\b|acc_|accuracy")),
    ("precision", re.compile(r"precision")),
    ("recall", re.compile(r"recall|sensitivity")),
    ("f1", re.compile(r"\bf1|f1\b|f_?score|fbeta")),
    ("auc", re.compile(r"auc|roc")),
    ("error", re.compile(r"error|\b(mae|mse|rmse|mape|smape)\b|(^|_)(mae|mse|rmse|mape)(_|$)")),
    ("throughput", re.compile(r"throughput|samples_per_s|per_second|/s$")),
)
LOWER_IS_BETTER = frozenset({"loss", "error"})
SPLITS = (("train", re.compile(r"(^|[_./-])train(ing)?([_./-]|$)")),
          ("validation", re.compile(r"(^|[_./-])(val|valid|validation|eval|dev)([_./-]|$)")),
          ("test", re.compile(r"(^|[_./-])test([_./-]|$)")))
NAME_MAX = 100


def metric_type(name: str) -> str:
    lowered = name.lower()
    return next((kind for kind, pattern in METRIC_TYPES if pattern.search(lowered)), "other")


def split_of(name: str) -> str | None:
    lowered = name.lower()
    return next((split for split, pattern in SPLITS if pattern.search(lowered)), None)


def thin(points: list[Any], limit: int) -> list[Any]:
    """At most ``limit`` points, evenly spaced, the first and the last always kept."""
    if limit <= 0 or len(points) <= limit:
        return points
    if limit == 1:
        return [points[-1]]
    indices = sorted({round(i * (len(points) - 1) / (limit - 1)) for i in range(limit)})
    return [points[i] for i in indices]


def metric_entries(histories: dict[str, list[Any]], max_steps: int,
                   notes: list[str]) -> list[dict[str, Any]]:
    """One entry per metric, from MLflow ``Metric`` objects (key, value, step, timestamp)."""
    entries: list[dict[str, Any]] = []
    for name in sorted(histories):
        points = sorted(histories[name], key=lambda m: (m.step, m.timestamp))
        finite = [m for m in points if isinstance(m.value, int | float) and math.isfinite(m.value)]
        if len(finite) < len(points):
            notes.append(f"metrics: {name}: left out {len(points) - len(finite)} value(s) that "
                         "are not finite numbers (NaN or infinity)")
        if not finite:
            continue
        if len(name) > NAME_MAX:
            notes.append(f"metrics: the name {name[:40]}... is longer than {NAME_MAX} characters; "
                         "left out")
            continue
        kind = metric_type(name)
        entry: dict[str, Any] = {"name": name, "value": finite[-1].value, "metric_type": kind}
        split = split_of(name)
        if split:
            entry["split"] = split
        if kind in LOWER_IS_BETTER:
            entry["higher_is_better"] = False
        elif kind != "other":
            entry["higher_is_better"] = True
        if len(finite) > 1:
            kept = thin(finite, max_steps)
            if len(kept) < len(finite):
                notes.append(f"metrics: {name}: kept {len(kept)} of its {len(finite)} logged "
                             f"points, evenly spaced (--max-steps {max_steps})")
            entry["steps"] = [Inline(step=max(int(m.step), 0), value=m.value,
                                     timestamp=iso_from_millis(m.timestamp)) for m in kept]
        entries.append(entry)
    return entries


def merge_metrics(existing: list[Any], imported: list[dict[str, Any]],
                  notes: list[str]) -> list[dict[str, Any]]:
    """The imported metrics, keeping what a person wrote on a metric of the same name (its
    type, split, direction). The run is the source of the figures: a metric it did not log is
    dropped, and named in the notes."""
    by_name = {m.get("name"): m for m in existing if isinstance(m, dict)}
    merged: list[dict[str, Any]] = []
    for entry in imported:
        before = by_name.pop(entry["name"], None)
        if isinstance(before, dict):
            for key in ("metric_type", "split", "higher_is_better"):
                if key in before:
                    entry[key] = before[key]
            entry = {k: entry[k] for k in ("name", "metric_type", "split", "higher_is_better",
                                           "value", "steps") if k in entry}
        merged.append(entry)
    for name in by_name:
        notes.append(f"metrics: dropped {name}, which the run did not log")
    return merged
