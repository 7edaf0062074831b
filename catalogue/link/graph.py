"""Link: resolve references between records into one graph and derive inverse links (a dataset's
"used by", an organisation's members) so nobody types them twice. Whether every reference
resolves is a check (``catalogue.check.references``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from catalogue.model.records import Record


@dataclass
class Graph:
    """Every record with its outgoing references and the derived inverse links."""

    records: dict[str, Record]
    outgoing: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    incoming: dict[str, dict[str, list[str]]] = field(default_factory=dict)

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
