"""Reuse: which datasets and models others build on, and the derived works along
``base_model`` and ``parent_version`` chains, counted from the catalogue's link graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalogue.link.catalogue import Catalogue
from catalogue.model.lifecycle import DELETED


@dataclass(frozen=True)
class DatasetReuse:
    dataset_id: str
    trained_models: tuple[str, ...]
    evaluated_models: tuple[str, ...]
    experiments: tuple[str, ...]
    derived_versions: tuple[str, ...]
    """Later versions along ``parent_version``, nearest first."""

    @property
    def score(self) -> int:
        """Distinct models and experiments that used the dataset."""
        return len({*self.trained_models, *self.evaluated_models, *self.experiments})

    def as_json(self) -> dict[str, Any]:
        return {"dataset": self.dataset_id, "reuse": self.score,
                "trained_models": list(self.trained_models),
                "evaluated_models": list(self.evaluated_models),
                "experiments": list(self.experiments),
                "derived_versions": list(self.derived_versions)}


@dataclass(frozen=True)
class ModelReuse:
    model_id: str
    derived: tuple[str, ...]
    """Models fine-tuned from it, directly or through another fine-tune."""
    derived_versions: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"model": self.model_id, "derived": list(self.derived),
                "derived_versions": list(self.derived_versions)}


def descendants(catalogue: Catalogue, record_id: str, relation: str) -> tuple[str, ...]:
    """Everything reachable along ``relation`` (breadth first, each once)."""
    seen: dict[str, None] = {}
    frontier = [record_id]
    while frontier:
        following = []
        for current in frontier:
            for child in catalogue.graph.related(current, relation):
                if child != record_id and child not in seen:
                    seen[child] = None
                    following.append(child)
        frontier = following
    return tuple(seen)


def dataset_reuse(catalogue: Catalogue) -> dict[str, DatasetReuse]:
    related = catalogue.graph.related
    return {d.id: DatasetReuse(
        d.id, tuple(related(d.id, "trained_models")), tuple(related(d.id, "evaluated_models")),
        tuple(related(d.id, "used_in")), descendants(catalogue, d.id, "next_versions"))
        for d in catalogue.of_kind("dataset") if d.status != DELETED}


def model_reuse(catalogue: Catalogue) -> dict[str, ModelReuse]:
    """Models with at least one derived work, by model id."""
    found = {}
    for model in catalogue.of_kind("model"):
        if model.status == DELETED:
            continue
        derived = descendants(catalogue, model.id, "fine_tuned_models")
        versions = descendants(catalogue, model.id, "next_versions")
        if derived or versions:
            found[model.id] = ModelReuse(model.id, derived, versions)
    return found


def publications(catalogue: Catalogue) -> dict[str, int]:
    """Asset id -> number of ``related_publications`` recorded on it (only those with one)."""
    return {r.id: n for r in catalogue.records.values() if r.kind.is_asset
            and (n := len(r.items("related_publications")))}
