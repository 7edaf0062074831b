"""Link: resolve references between records into one graph and derive inverse links (a dataset's
"used by", an organisation's members) so nobody types them twice. Whether every reference
resolves is a check (``catalogue.check.references``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from catalogue.load.store import RecordStore
from catalogue.model.records import Record


@dataclass
class Graph:
    """Every record with its outgoing references and the derived inverse links."""

    records: dict[str, Record]
    outgoing: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    incoming: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def prepare(self, record_ids: Iterable[str]) -> None:
        """Nothing to do: every link is resolved already."""

    def related(self, record_id: str, relation: str) -> list[str]:
        return (self.outgoing.get(record_id, {}).get(relation)
                or self.incoming.get(record_id, {}).get(relation) or [])


def build_graph(records: Iterable[Record]) -> Graph:
    """Resolve what can be resolved; unresolved references are left to ``check_links``."""
    by_id = {r.id: r for r in records}
    outgoing: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    incoming: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for record in sorted(by_id.values(), key=lambda r: r.id):
        for reference, _path, value in record.references():
            if not isinstance(value, str) or value not in by_id:
                continue
            relation = reference.path[0]
            if value not in outgoing[record.id][relation]:
                outgoing[record.id][relation].append(value)
            if record.id not in incoming[value][reference.inverse]:
                incoming[value][reference.inverse].append(record.id)
    return Graph(by_id, {k: dict(v) for k, v in outgoing.items()},
                 {k: dict(v) for k, v in incoming.items()})


class Relations(Protocol):
    """What later stages ask of the links: a record's related ids by relation name (an outgoing
    field such as ``created_by``, or a derived inverse such as ``produced_by``)."""

    def related(self, record_id: str, relation: str) -> list[str]: ...

    def prepare(self, record_ids: Iterable[str]) -> None:
        """Find the inverse links of many records at once (a hint; may do nothing)."""


class StoreGraph:
    """The same answers as ``Graph``, found on demand in a ``RecordStore``: for checking a few
    changed records of a large catalogue without loading every record. Inverse links of a
    record are found by one search for the records that mention it."""

    SEARCH_LIMIT = 20
    """Above this many records asked about at once, reading every record is cheaper."""

    def __init__(self, store: RecordStore) -> None:
        self.store = store
        self._incoming: dict[str, dict[str, list[str]]] = {}

    def prepare(self, record_ids: Iterable[str]) -> None:
        wanted = {i for i in record_ids if i not in self._incoming}
        if not wanted:
            return
        for record_id in wanted:
            self._incoming[record_id] = {}
        candidates = (self.store.ids() if len(wanted) > self.SEARCH_LIMIT
                      else self.store.referrers(wanted))
        for candidate in sorted(candidates):
            record = self.store.get(candidate)
            if record is None:
                continue
            for reference, _path, value in record.references():
                if isinstance(value, str) and value in wanted:
                    inverse = self._incoming[value].setdefault(reference.inverse, [])
                    if candidate not in inverse:
                        inverse.append(candidate)

    def related(self, record_id: str, relation: str) -> list[str]:
        record = self.store.get(record_id) if self.store.exists(record_id) else None
        if record is not None:
            outgoing = [value for reference, _path, value in record.references()
                        if reference.path[0] == relation and isinstance(value, str)
                        and self.store.exists(value)]
            if outgoing:
                return list(dict.fromkeys(outgoing))
        self.prepare([record_id])
        return self._incoming[record_id].get(relation, [])
