"""What a record's pages read: every lookup into the catalogue and the derived tables, noted
while the pages are generated, so that a later build can tell whether they would come out the
same without generating them again.

``record_units.trace_tables`` wraps the tables pages read (the records, the link graph, the
quality reports, the carbon roll-up, the analyses) in ``TracedDict``; a lookup made inside a
``trace()`` block is noted as ``(table, key)``, and walking a whole table as ``(table, ALL)``. A
page's output is a function of what it looked up plus the build's global inputs (settings,
theme, generator version), so if every noted lookup gives the same value again, the page is the
same. ``record_units.Values`` gives each lookup a digest: a record's is the digest of its
folder's files, a derived value's the digest of its pickle (``digest``).
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from catalogue.model.records import Record

K = TypeVar("K")
V = TypeVar("V")
ALL = "*"
"""The key noted when a page walks a whole table: any change to the table reaches the page."""
RECORDS = "records"
OUTGOING = "graph.outgoing"
INCOMING = "graph.incoming"
QUALITY = "quality"

_open: list[set[tuple[str, Hashable]]] = []


@contextmanager
def trace() -> Iterator[set[tuple[str, Hashable]]]:
    """Note the lookups made inside the block (nested traces each note them)."""
    reads: set[tuple[str, Hashable]] = set()
    _open.append(reads)
    try:
        yield reads
    finally:
        _open.remove(reads)


def note(table: str, key: Hashable) -> None:
    for reads in _open:
        reads.add((table, key))


class Deferred(Generic[V]):
    """A value of a ``TracedDict`` made only when a lookup first asks for it: a quality report
    the last build kept is read from the cache for the pages built again, not for all."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], V]) -> None:
        self.make = make


class TracedDict(dict[K, V]):
    """A dict whose lookups are noted in the open traces (its ``Deferred`` values are made as
    they are looked up)."""

    table: str = ""

    def __getitem__(self, key: K) -> V:
        note(self.table, key)
        value = super().__getitem__(key)
        return self._made(key, value) if isinstance(value, Deferred) else value

    def get(self, key: K, default: Any = None) -> Any:
        note(self.table, key)
        value = super().get(key, default)
        return self._made(key, value) if isinstance(value, Deferred) else value

    def _made(self, key: K, deferred: Deferred[V]) -> V:
        value = deferred.make()
        dict.__setitem__(self, key, value)
        return value

    def _make_all(self) -> None:
        for key, value in list(dict.items(self)):
            if isinstance(value, Deferred):
                self._made(key, value)

    def __contains__(self, key: object) -> bool:
        note(self.table, key)
        return super().__contains__(key)

    def __iter__(self) -> Iterator[K]:
        note(self.table, ALL)
        return super().__iter__()

    def keys(self) -> Any:
        note(self.table, ALL)
        return super().keys()

    def values(self) -> Any:
        note(self.table, ALL)
        self._make_all()
        return super().values()

    def items(self) -> Any:
        note(self.table, ALL)
        self._make_all()
        return super().items()

    def __len__(self) -> int:
        note(self.table, ALL)
        return super().__len__()


class TracedList(list[V]):
    """A list whose every walk is noted (as the whole table)."""

    table: str = ""

    def __iter__(self) -> Iterator[V]:
        note(self.table, ALL)
        return super().__iter__()

    def __len__(self) -> int:
        note(self.table, ALL)
        return super().__len__()


def traced(table: str, values: Mapping[K, V]) -> TracedDict[K, V]:
    result: TracedDict[K, V] = TracedDict(values)
    result.table = table
    return result


def traced_list(table: str, values: list[V]) -> TracedList[V]:
    result: TracedList[V] = TracedList(values)
    result.table = table
    return result


class Digester:
    """The digest of a value's pickle, each record in it written as its id and the digest of
    its files (the record object itself holds what was parsed, not what the page may read
    from its folder). The same value pickles to the same bytes in every process here: the
    derived tables hold no set whose order could vary (were one to, its pages would only be
    built again, never reused wrongly).

    A dispatch table, not ``reducer_override``: the pickler looks the type up in C, instead
    of calling back into Python for every object of the value. A new pickler for each value:
    clearing one's memo costs as much as the largest value it ever held."""

    def __init__(self, record_digest: Callable[[str], str]) -> None:
        def reduce_record(record: Record) -> tuple[type[str], tuple[str]]:
            return str, (f"record:{record.id}:{record_digest(record.id)}",)

        self._reduce = reduce_record

    def __call__(self, value: Any) -> str:
        out = io.BytesIO()
        pickler = pickle.Pickler(out, protocol=5)
        pickler.dispatch_table = {Record: self._reduce}  # Record has no subclass
        pickler.dump(value)
        return hashlib.blake2b(out.getbuffer(), digest_size=16).hexdigest()
