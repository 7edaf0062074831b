"""What the quality criteria may look up beyond the record itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from catalogue.link.graph import Relations, StoreGraph
from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding, Severity
from catalogue.model.pointers import Pointer, usable_pointers
from catalogue.model.records import Record

if TYPE_CHECKING:
    from catalogue.link.catalogue import Catalogue

class Lookup:
    """What the criteria may look up beyond the record: other records by id, the load errors of
    a record, and its links, from a loaded catalogue's graph or, for a few records of a large
    catalogue, found on demand in the store."""

    def __init__(self, store: RecordStore, relations: Relations | None = None) -> None:
        self.store = store
        self.relations: Relations = relations or StoreGraph(store)
        self._pointers: dict[int, tuple[Record, list[Pointer]]] = {}

    @classmethod
    def of(cls, catalogue: Catalogue | RecordStore) -> Lookup:
        if isinstance(catalogue, RecordStore):
            return cls(catalogue)
        return cls(catalogue.store, catalogue.graph)

    def get(self, record_id: object) -> Record | None:
        if not isinstance(record_id, str) or not self.store.exists(record_id):
            return None
        return self.store.get(record_id)

    def prepare(self, record_ids: Iterable[str]) -> None:
        """Find the links of many records in one pass."""
        self.relations.prepare(record_ids)

    def producers(self, model_id: str) -> list[str]:
        """The experiments that produced the model."""
        return self.relations.related(model_id, "produced_by")

    def load_errors(self, record_id: str) -> list[Finding]:
        return [f for f in self.store.findings(record_id) if f.severity is Severity.ERROR]

    def pointers(self, record: Record) -> list[Pointer]:
        """The record's usable artefact pointers, parsed once for all the criteria."""
        found = self._pointers.get(id(record))
        if found is None or found[0] is not record:  # (kept with it: its id stays its own)
            found = self._pointers[id(record)] = (record, usable_pointers(record))
        return found[1]
