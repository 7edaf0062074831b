"""A whole catalogue, loaded and linked: what the derive and publish stages read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from catalogue.link.graph import Graph, build_graph
from catalogue.load.store import RecordStore
from catalogue.model.kinds import KINDS
from catalogue.model.records import Record
from catalogue.model.settings import Settings


@dataclass
class Catalogue:
    root: Path
    settings: Settings
    store: RecordStore
    records: dict[str, Record]
    """Every readable record, by id, in id order."""
    graph: Graph
    _kinds: tuple[dict[str, Record], dict[str, list[Record]]] | None = field(
        default=None, init=False, repr=False, compare=False)
    """The records of each kind, and the table they were grouped from (``of_kind``)."""

    def of_kind(self, kind: str) -> list[Record]:
        """The records of ``kind``, in id order (a new list, the caller's to change). The
        lists, dashboards and catalogue files ask dozens of times a build: the records are
        grouped once for each table of records."""
        records = self.records
        records.keys()  # (a walk of the whole table, which a traced table notes)
        grouped = self._kinds
        if grouped is None or grouped[0] is not records:
            by_kind: dict[str, list[Record]] = {name: [] for name in KINDS}
            for record in dict.values(records):
                by_kind[record.kind.name].append(record)
            self._kinds = grouped = (records, by_kind)
        return list(grouped[1][kind])

    def get(self, record_id: object) -> Record | None:
        """The record with this id; ``None`` for anything else, including values of the wrong
        type read from a record that failed its checks."""
        return self.records.get(record_id) if isinstance(record_id, str) else None

    def title_of(self, record_id: str) -> str:
        record = self.get(record_id)
        return record.title if record else record_id


def link(store: RecordStore) -> Catalogue:
    """Every readable record of ``store``, in id order, with the graph of their references."""
    records = {r.id: r for r in sorted(store.load_all(), key=lambda r: r.id)}
    return Catalogue(store.root, store.settings, store, records, build_graph(records.values()))
