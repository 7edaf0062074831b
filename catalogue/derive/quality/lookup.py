"""What the quality criteria may look up beyond the record itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding, Severity
from catalogue.model.records import Record

if TYPE_CHECKING:
    from catalogue.link.catalogue import Catalogue

MODEL, EXPERIMENT = "model", "experiment"


class Lookup:
    """Records by id and the experiments that produced each model, from a loaded catalogue
    (its link graph) or from a record store (searched once for the models asked about)."""

    def __init__(self, store: RecordStore, producers: dict[str, list[str]] | None = None) -> None:
        self.store = store
        self._producers = producers
        self._asked: set[str] = set(producers or ())

    @classmethod
    def of(cls, catalogue: Catalogue | RecordStore) -> Lookup:
        if isinstance(catalogue, RecordStore):
            return cls(catalogue)
        producers = {model.id: catalogue.graph.related(model.id, "produced_by")
                     for model in catalogue.of_kind(MODEL)}
        return cls(catalogue.store, producers)

    def get(self, record_id: object) -> Record | None:
        if not isinstance(record_id, str) or not self.store.exists(record_id):
            return None
        return self.store.get(record_id)

    def prepare(self, model_ids: Iterable[str]) -> None:
        """Find the producers of many models in one pass over the store."""
        wanted = set(model_ids) - self._asked
        if self._producers is None:
            self._producers = {}
        if not wanted:
            return
        self._asked |= wanted
        if len(wanted) > 20:  # cheaper to read every experiment than to search for each model
            candidates: Iterable[str] = self.store.ids(EXPERIMENT)
        else:
            candidates = sorted(self.store.referrers(wanted))
        for experiment_id in candidates:
            experiment = self.get(experiment_id)
            if experiment is None or experiment.kind.name != EXPERIMENT:
                continue
            for model_id in experiment.items("produced_models"):
                if model_id in wanted:
                    self._producers.setdefault(model_id, []).append(experiment_id)

    def producers(self, model_id: str) -> list[str]:
        if model_id not in self._asked:
            self.prepare([model_id])
        return (self._producers or {}).get(model_id, [])

    def load_errors(self, record_id: str) -> list[Finding]:
        return [f for f in self.store.findings(record_id) if f.severity is Severity.ERROR]
