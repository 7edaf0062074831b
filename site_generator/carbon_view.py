"""Energy and carbon figures for pages: the one place the site asks ``catalogue`` for them.

``catalogue.derive.carbon_rollup.carbon_report`` computes every resource utilisation's footprint
(with measured or estimated energy, low/high bounds and the impact band) and rolls them up by
experiment, model, resource, researcher, organisation and year; pages only format what it says.
"""

from __future__ import annotations

from catalogue.derive.carbon_footprint import UtilisationFootprint
from catalogue.derive.carbon_rollup import CarbonReport, ModelFootprint, Totals, carbon_report
from catalogue.link.catalogue import Catalogue

__all__ = ["CarbonFigures", "ModelFootprint", "Totals", "UtilisationFootprint",
           "carbon_figures"]


class CarbonFigures:
    """Lookups over one ``CarbonReport``; every method returns None when there is no figure."""

    def __init__(self, report: CarbonReport) -> None:
        self.report = report
        self._by_run: dict[tuple[str, int], UtilisationFootprint] = {
            (u.experiment_id, u.position): u for u in report.utilisations}
        self._skipped = {(s.experiment_id, s.position): s.message for s in report.skipped}

    @property
    def total(self) -> Totals:
        return self.report.total

    @property
    def threshold_kg(self) -> float:
        return self.report.defaults.threshold_kg

    def band(self, kg: float) -> str:
        return self.report.band(kg)

    def utilisation(self, experiment_id: str, index: int) -> UtilisationFootprint | None:
        return self._by_run.get((experiment_id, index))

    def skipped(self, experiment_id: str, index: int) -> str | None:
        return self._skipped.get((experiment_id, index))

    def experiment(self, record_id: str) -> Totals | None:
        return self.report.experiments.get(record_id)

    def model(self, record_id: str) -> ModelFootprint | None:
        footprint = self.report.models.get(record_id)
        return footprint if footprint is not None and footprint.cumulative.runs else None

    def resource(self, record_id: str) -> Totals | None:
        return self.report.resources.get(record_id)

    def organization(self, record_id: str) -> Totals | None:
        return self.report.organizations.get(record_id)

    def researcher(self, record_id: str) -> Totals | None:
        return self.report.researchers.get(record_id)

    def of_record(self, record_id: str) -> Totals | None:
        """The record's own footprint, whatever its kind: a model's training runs, an
        experiment's runs, what a resource ran, what a researcher or organisation is named on;
        None for a record no footprint is computed for (a dataset, a workflow)."""
        footprint = self.report.models.get(record_id)
        if footprint is not None:
            return footprint.own if footprint.own.runs else None
        for table in (self.report.experiments, self.report.resources,
                      self.report.organizations, self.report.researchers):
            if record_id in table:
                return table[record_id]
        return None

    def years(self) -> dict[str, Totals]:
        return dict(self.report.years)

    def name(self, record_id: str) -> str:
        return self.report.names.get(record_id, record_id)


def carbon_figures(catalogue: Catalogue) -> CarbonFigures:
    """The seam: every figure on every page comes from here."""
    return CarbonFigures(carbon_report(catalogue))
