"""Every analysis the site's Analyse pages show, computed once from a linked catalogue and its
carbon report."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.derive.carbon_rollup import CarbonReport
from catalogue.derive.hyperparameters import Family, families
from catalogue.derive.leaderboards import Leaderboard, Standing, leaderboards, ranks_by_model
from catalogue.derive.reproducibility import (
    Inconsistency,
    ReproducibilityReport,
    config_inconsistencies,
    reproducibility_reports,
)
from catalogue.derive.reuse import (
    DatasetReuse,
    ModelReuse,
    dataset_reuse,
    model_reuse,
    publications,
)
from catalogue.derive.trends import Comparisons, Trends, comparisons, trends
from catalogue.link.catalogue import Catalogue


@dataclass(frozen=True)
class Analyses:
    leaderboards: list[Leaderboard]
    ranks: dict[str, list[Standing]]
    reproducibility: dict[str, ReproducibilityReport]
    inconsistencies: list[Inconsistency]
    datasets: dict[str, DatasetReuse]
    models: dict[str, ModelReuse]
    publications: dict[str, int]
    trends: Trends
    comparisons: Comparisons
    families: list[Family]


def analyse(catalogue: Catalogue, carbon: CarbonReport) -> Analyses:
    boards = leaderboards(catalogue, carbon)
    return Analyses(boards, ranks_by_model(boards), reproducibility_reports(catalogue),
                    config_inconsistencies(catalogue), dataset_reuse(catalogue),
                    model_reuse(catalogue), publications(catalogue), trends(catalogue, carbon),
                    comparisons(catalogue, carbon, boards), families(catalogue))
