"""Roll-ups of the utilisation footprints: per experiment, model (own and along ``base_model``
lineage), resource, researcher, organisation, year and the whole catalogue.

Ranges add up as bounds: a total's low is the sum of the lows. Every utilisation counts once in
the catalogue total, once in its experiment, resource, organisation and year. A researcher's total
covers every experiment they are listed on, so shared experiments appear under each of them; a
model's total covers the experiments that produced it, so an experiment that produced two models
appears under both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalogue.derive.carbon_defaults import CarbonDefaults, above_threshold, band, carbon_defaults
from catalogue.derive.carbon_footprint import Skipped, UtilisationFootprint, experiment_footprints
from catalogue.derive.carbon_intensity import TABLE_NAME, load_intensity_table
from catalogue.derive.carbon_interop import (
    CardEmissions,
    co2_eq_emissions,
    front_matter_emissions,
)
from catalogue.derive.energy import MEASURED
from catalogue.link.catalogue import Catalogue
from catalogue.model.records import Record

UNKNOWN_YEAR = "unknown"
METHOD_NOTE = ("measured energy where recorded (PUE applied once, only if not included); "
               "otherwise estimated with the Green Algorithms method (Lannelongue et al. 2021)")


def _round(value: float) -> float:
    return round(value, 6)


@dataclass
class Totals:
    kwh: float = 0.0
    kwh_low: float = 0.0
    kwh_high: float = 0.0
    kg: float = 0.0
    kg_low: float = 0.0
    kg_high: float = 0.0
    measured_kwh: float = 0.0
    hours: float = 0.0
    runs: int = 0

    @classmethod
    def of(cls, footprints: Iterable[UtilisationFootprint]) -> Totals:
        totals = cls()
        for footprint in footprints:
            totals.add(footprint)
        return totals

    def add(self, footprint: UtilisationFootprint) -> None:
        energy = footprint.energy
        self.kwh += energy.kwh
        self.kwh_low += energy.low
        self.kwh_high += energy.high
        self.kg += footprint.kg
        self.kg_low += footprint.kg_low
        self.kg_high += footprint.kg_high
        self.hours += footprint.hours
        self.runs += 1
        if energy.method == MEASURED:
            self.measured_kwh += energy.kwh

    @property
    def estimated_kwh(self) -> float:
        return self.kwh - self.measured_kwh

    @property
    def estimated_share(self) -> float | None:
        """Share of the energy that is estimated rather than measured (None without energy)."""
        return self.estimated_kwh / self.kwh if self.kwh > 0 else None

    def as_json(self, defaults: CarbonDefaults) -> dict[str, Any]:
        share = self.estimated_share
        return {
            "runs": self.runs, "hours": _round(self.hours),
            "kwh": _round(self.kwh), "kwh_low": _round(self.kwh_low),
            "kwh_high": _round(self.kwh_high),
            "kg": _round(self.kg), "kg_low": _round(self.kg_low), "kg_high": _round(self.kg_high),
            "measured_kwh": _round(self.measured_kwh),
            "estimated_kwh": _round(self.estimated_kwh),
            "estimated_share": None if share is None else _round(share),
            "band": band(self.kg, defaults),
            "above_threshold": above_threshold(self.kg, defaults),
        }


@dataclass
class ModelFootprint:
    model_id: str
    experiments: list[str]
    """The experiments that produced the model."""
    lineage: list[str]
    """The model, then its base model, that model's base, ..."""
    lineage_experiments: list[str]
    own: Totals
    cumulative: Totals
    reported: CardEmissions | None = None
    """``co2_eq_emissions`` from the model card, if it has one (kept apart from our figures)."""


@dataclass
class CarbonReport:
    defaults: CarbonDefaults
    utilisations: list[UtilisationFootprint]
    skipped: list[Skipped]
    names: dict[str, str]
    experiments: dict[str, Totals] = field(default_factory=dict)
    models: dict[str, ModelFootprint] = field(default_factory=dict)
    resources: dict[str, Totals] = field(default_factory=dict)
    researchers: dict[str, Totals] = field(default_factory=dict)
    organizations: dict[str, Totals] = field(default_factory=dict)
    years: dict[str, Totals] = field(default_factory=dict)
    total: Totals = field(default_factory=Totals)
    experiments_by_party: dict[str, list[str]] = field(default_factory=dict)
    """The experiments each researcher and organisation is named on."""
    by_experiment: dict[str, tuple[int, list[UtilisationFootprint]]] = field(
        default_factory=dict)
    """Each experiment's place among the experiments, and its utilisations' footprints."""

    def band(self, kg: float) -> str:
        return band(kg, self.defaults)

    def footprints_of(self, experiment_ids: Iterable[str]) -> list[UtilisationFootprint]:
        """The footprints of ``experiment_ids``' utilisations, in report order."""
        found = (self.by_experiment.get(e) for e in dict.fromkeys(experiment_ids))
        return [u for _, rows in sorted((f for f in found if f is not None), key=lambda f: f[0])
                for u in rows]

    def hf_co2_eq_emissions(self, model_id: str) -> dict[str, Any] | None:
        """The model's own training footprint in Hugging Face's ``co2_eq_emissions`` form."""
        model = self.models.get(model_id)
        if model is None or model.own.runs == 0:
            return None
        rows = self.footprints_of(model.experiments)
        methods = sorted({u.energy.method for u in rows})
        share = model.own.estimated_share
        source = (f"Open Models Hub, computed from recorded resource usage ({' and '.join(methods)}"
                  f"{'' if share is None else f'; {share:.0%} of the energy estimated'}; "
                  f"experiments: {', '.join(model.experiments)})")
        return co2_eq_emissions(
            model.own.kg * 1000, source,
            "fine-tuning" if len(model.lineage) > 1 else "pre-training",
            "; ".join(dict.fromkeys(u.place for u in rows)),
            "; ".join(dict.fromkeys(u.hardware for u in rows)))

    def selection(self, record_ids: Sequence[str]) -> list[UtilisationFootprint]:
        """The utilisations behind the given records (experiments, models, resources, people,
        organisations), in report order."""
        keys: set[tuple[str, int]] = set()
        for record_id in record_ids:
            if record_id in self.models:
                rows = self.footprints_of(self.models[record_id].lineage_experiments)
            elif record_id.startswith(("researchers/", "organizations/")):
                rows = self.footprints_of(self.experiments_by_party.get(record_id, []))
            else:
                rows = [u for u in self.utilisations
                        if record_id in (u.experiment_id, u.resource_id)]
            keys.update((u.experiment_id, u.position) for u in rows)
        return [u for u in self.utilisations if (u.experiment_id, u.position) in keys]

    def to_json(self, record_ids: Sequence[str] | None = None) -> dict[str, Any]:
        """The summary the site generator reads; with ``record_ids``, only what they cover."""
        defaults = self.defaults
        table = load_intensity_table()
        rows = self.selection(record_ids) if record_ids else self.utilisations
        document: dict[str, Any] = {
            "method": METHOD_NOTE,
            "units": {"energy": "kWh", "emissions": "kg CO2e", "intensity": "g CO2e/kWh",
                      "hf_co2_eq_emissions": "g CO2e"},
            "defaults": defaults.as_json(),
            "intensity_table": {
                "file": TABLE_NAME,
                "rows": len(table.countries) + len({r for r in table.regions.values()}),
                "sources": [{"source": source, "license": license_} for source, license_ in sorted(
                    {(r.source, r.license) for r in table.countries.values()}
                    | {(r.source, r.license) for r in table.regions.values()})],
            },
            "total": Totals.of(rows).as_json(defaults),
            "utilisations": [u.as_json() for u in rows],
            "skipped": [s.as_json() for s in self.skipped
                        if not record_ids or s.experiment_id in {u.experiment_id for u in rows}
                        or s.experiment_id in record_ids],
        }
        if record_ids:
            document["selection"] = list(record_ids)
            document["records"] = {i: entry for i in record_ids
                                   if (entry := self.entry(i)) is not None}
            return document
        document.update({
            "experiments": {i: self._entry(i, t) for i, t in self.experiments.items()},
            "models": {i: self._model_entry(m) for i, m in self.models.items()},
            "resources": {i: self._entry(i, t) for i, t in self.resources.items()},
            "researchers": {i: self._entry(i, t) for i, t in self.researchers.items()},
            "organizations": {i: self._entry(i, t) for i, t in self.organizations.items()},
            "years": {y: t.as_json(defaults) for y, t in self.years.items()},
        })
        return document

    def entry(self, record_id: str) -> dict[str, Any] | None:
        """The roll-up of one record (experiment, model, resource, researcher, organisation)."""
        if record_id in self.models:
            return self._model_entry(self.models[record_id])
        for bucket in (self.experiments, self.resources, self.researchers, self.organizations):
            if record_id in bucket:
                return self._entry(record_id, bucket[record_id])
        return None

    def _entry(self, record_id: str, totals: Totals) -> dict[str, Any]:
        return {"name": self.names.get(record_id, record_id), **totals.as_json(self.defaults)}

    def _model_entry(self, model: ModelFootprint) -> dict[str, Any]:
        reported = model.reported
        return {
            "name": self.names.get(model.model_id, model.model_id),
            "experiments": model.experiments,
            "lineage": model.lineage,
            "own": model.own.as_json(self.defaults),
            "cumulative": model.cumulative.as_json(self.defaults),
            "reported": (reported.reported.as_json() if reported and reported.reported
                         else None),
            "hf_co2_eq_emissions": self.hf_co2_eq_emissions(model.model_id),
        }


def _lineage(model: Record, catalogue: Catalogue) -> list[str]:
    """The model and its ancestors along ``base_model`` (stated on the model, or on the
    experiment that produced it)."""
    chain = [model.id]
    current: Record | None = model
    while current is not None:
        base = current.data.get("base_model")
        if not isinstance(base, str):
            base = next((b for e in catalogue.graph.related(current.id, "produced_by")
                         if isinstance(b := catalogue.records[e].data.get("base_model"), str)),
                        None)
        if not isinstance(base, str) or base in chain:
            break  # no base, or a loop (reported by the link checks)
        chain.append(base)
        current = catalogue.get(base)
    return chain


def carbon_report(catalogue: Catalogue,
                  defaults: CarbonDefaults | None = None) -> CarbonReport:
    """Compute every utilisation's footprint in the catalogue and roll them up along the
    catalogue's link graph (who ran each experiment, which models it produced)."""
    store = catalogue.store
    defaults = defaults or carbon_defaults(store.settings)
    table = load_intensity_table()
    records = list(catalogue.records.values())
    report = CarbonReport(defaults, [], [], {r.id: r.title for r in records})
    experiments = catalogue.of_kind("experiment")
    for place, experiment in enumerate(experiments):
        footprints, skipped = experiment_footprints(experiment, store, defaults, table)
        report.utilisations.extend(footprints)
        report.skipped.extend(skipped)
        report.by_experiment[experiment.id] = (place, footprints)
        if footprints:
            report.experiments[experiment.id] = Totals.of(footprints)
        for relation in ("created_by", "organization"):
            for party in catalogue.graph.related(experiment.id, relation):
                report.experiments_by_party.setdefault(party, []).append(experiment.id)

    def totals_for(bucket: dict[str, Totals], key: str, rows: list[UtilisationFootprint]) -> None:
        target = bucket.setdefault(key, Totals())
        for row in rows:
            target.add(row)

    for footprint in report.utilisations:
        report.total.add(footprint)
        report.resources.setdefault(footprint.resource_id, Totals()).add(footprint)
        year = str(footprint.year) if footprint.year is not None else UNKNOWN_YEAR
        report.years.setdefault(year, Totals()).add(footprint)
    for record_id, experiment_ids in report.experiments_by_party.items():
        bucket = report.researchers if record_id.startswith("researchers/") \
            else report.organizations
        rows = [row for e in experiment_ids for row in report.by_experiment.get(e, (0, []))[1]]
        if rows:
            totals_for(bucket, record_id, rows)

    for model in catalogue.of_kind("model"):
        own_experiments = catalogue.graph.related(model.id, "produced_by")
        lineage = _lineage(model, catalogue)
        lineage_experiments = list(dict.fromkeys(
            e for m in lineage for e in catalogue.graph.related(m, "produced_by")))
        report.models[model.id] = ModelFootprint(
            model.id, own_experiments, lineage, lineage_experiments,
            Totals.of(report.footprints_of(own_experiments)),
            Totals.of(report.footprints_of(lineage_experiments)),
            front_matter_emissions(model.card_front_matter))
    report.years = dict(sorted(report.years.items()))
    return report
