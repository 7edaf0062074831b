"""Trends over time (assets added, energy, CO2e, measured share by year and by month) and
comparisons across frameworks, model types and resources (counts, median scores per task,
energy per run, utilisation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Any

from catalogue.derive.carbon_rollup import CarbonReport, Totals
from catalogue.derive.energy import number
from catalogue.derive.leaderboards import Leaderboard
from catalogue.link.catalogue import Catalogue
from catalogue.model.dates import day_of
from catalogue.model.lifecycle import DELETED

UNKNOWN = "unknown"


@dataclass
class Period:
    """Assets added in a year or month, and the carbon totals of the runs that started in it."""

    assets_added: int = 0
    totals: Totals = field(default_factory=Totals)

    @property
    def runs(self) -> int:
        return self.totals.runs

    @property
    def kwh(self) -> float:
        return self.totals.kwh

    @property
    def kg(self) -> float:
        return self.totals.kg

    @property
    def measured_share(self) -> float | None:
        return self.totals.measured_kwh / self.kwh if self.kwh > 0 else None

    def as_json(self) -> dict[str, Any]:
        return {"assets_added": self.assets_added, "runs": self.runs, "kwh": self.kwh,
                "kg_co2e": self.kg, "measured_share": self.measured_share}


@dataclass
class Trends:
    years: dict[str, Period] = field(default_factory=dict)
    months: dict[str, Period] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"years": {k: v.as_json() for k, v in self.years.items()},
                "months": {k: v.as_json() for k, v in self.months.items()}}


def _periods(value: object) -> tuple[str, str]:
    day = day_of(value)
    return (str(day.year), f"{day.year:04d}-{day.month:02d}") if day else (UNKNOWN, UNKNOWN)


def trends(catalogue: Catalogue, carbon: CarbonReport) -> Trends:
    result = Trends()

    def add(value: object) -> list[Period]:
        year, month = _periods(value)
        return [result.years.setdefault(year, Period()), result.months.setdefault(month, Period())]

    for record in catalogue.records.values():
        if record.kind.is_asset and record.status != DELETED:
            for period in add(record.data.get("created_at")):
                period.assets_added += 1
    for footprint in carbon.utilisations:
        experiment = catalogue.get(footprint.experiment_id)
        usage = experiment.mappings("resource_utilizations") if experiment else []
        start = usage[footprint.position].get("start_time") \
            if footprint.position < len(usage) else None
        if start is None and experiment is not None:
            start = experiment.data.get("start_time")
        for period in add(start):
            period.totals.add(footprint)
    result.years = dict(sorted(result.years.items()))
    result.months = dict(sorted(result.months.items()))
    return result


@dataclass
class Group:
    """Figures of the models (or runs) sharing a framework, model type or resource."""
    models: int = 0
    runs: int = 0
    kwh: float = 0.0
    utilisation: list[float] = field(default_factory=list)
    scores: dict[str, list[float]] = field(default_factory=dict)
    """Leaderboard slug -> the scores of the group's models on it."""

    @property
    def kwh_per_run(self) -> float | None:
        return self.kwh / self.runs if self.runs else None

    @property
    def median_utilisation(self) -> float | None:
        return median(self.utilisation) if self.utilisation else None

    def median_scores(self) -> dict[str, float]:
        return {slug: median(values) for slug, values in sorted(self.scores.items())}

    def as_json(self) -> dict[str, Any]:
        return {"models": self.models, "runs": self.runs, "kwh": self.kwh,
                "kwh_per_run": self.kwh_per_run,
                "median_utilisation_percent": self.median_utilisation,
                "median_scores": self.median_scores()}


@dataclass
class Comparisons:
    frameworks: dict[str, Group] = field(default_factory=dict)
    model_types: dict[str, Group] = field(default_factory=dict)
    resources: dict[str, Group] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {name: {k: g.as_json() for k, g in getattr(self, name).items()}
                for name in ("frameworks", "model_types", "resources")}


def comparisons(catalogue: Catalogue, carbon: CarbonReport,
                boards: list[Leaderboard]) -> Comparisons:
    """Models grouped by framework and model type (with the runs that produced them and their
    leaderboard scores), runs grouped by resource (with their GPU, else CPU, utilisation)."""
    result = Comparisons()
    scores: dict[str, list[tuple[str, float]]] = {}
    for board in boards:
        for entry in board.entries:
            scores.setdefault(entry.model_id, []).append((board.slug, entry.value))
    for model in catalogue.of_kind("model"):
        if model.status == DELETED:
            continue
        footprint = carbon.models.get(model.id)
        for table, key in ((result.frameworks, "framework"), (result.model_types, "model_type")):
            group = table.setdefault(str(model.data.get(key) or UNKNOWN), Group())
            group.models += 1
            if footprint is not None:
                group.runs += footprint.own.runs
                group.kwh += footprint.own.kwh
            for slug, value in scores.get(model.id, []):
                group.scores.setdefault(slug, []).append(value)
    for run in carbon.utilisations:
        group = result.resources.setdefault(run.resource_id, Group())
        group.runs += 1
        group.kwh += run.kwh
        experiment = catalogue.get(run.experiment_id)
        usage = experiment.mappings("resource_utilizations") if experiment else []
        row = usage[run.position] if run.position < len(usage) else {}
        share = number(row.get("gpu_utilization_percent"))
        share = share if share is not None else number(row.get("cpu_utilization_percent"))
        if share is not None:
            group.utilisation.append(share)
    for name in ("frameworks", "model_types", "resources"):
        setattr(result, name, dict(sorted(getattr(result, name).items())))
    return result
