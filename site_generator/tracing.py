"""What a record's pages read: every lookup into the catalogue and the derived tables, noted
while the pages are generated, so that a later build can tell whether they would come out the
same without generating them again.

``generate`` wraps the tables pages read (the records, the link graph, the quality reports, the
carbon roll-up, the analyses) in ``TracedDict``; a lookup made while a ``Trace`` is open is noted
as ``(table, key)``, and walking a whole table as ``(table, ALL)``. A page's output is a function
of what it looked up plus the build's global inputs (settings, theme, generator version), so if
every noted lookup gives the same value again, the page is the same. ``Values`` gives each lookup
a digest: a record's is the digest of its folder's files, a derived value's the digest of its
canonical form (``canonical``), which does not depend on set order or object identity.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import PurePath
from typing import Any, TypeVar

from catalogue.model.records import Record

K = TypeVar("K")
V = TypeVar("V")
ALL = "*"
"""The key noted when a page walks a whole table: any change to the table reaches the page."""
RECORDS = "records"

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


class TracedDict(dict[K, V]):
    """A dict whose lookups are noted in the open traces."""

    table: str = ""

    def __getitem__(self, key: K) -> V:
        note(self.table, key)
        return super().__getitem__(key)

    def get(self, key: K, default: Any = None) -> Any:
        note(self.table, key)
        return super().get(key, default)

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
        return super().values()

    def items(self) -> Any:
        note(self.table, ALL)
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


def canonical(value: Any, record_digest: Callable[[str], str], depth: int = 0) -> Any:
    """A plain form of ``value`` (tuples, strings, numbers) for hashing: sets sorted, objects by
    their fields, a record by its id and the digest of its files."""
    if depth > 64:
        raise ValueError("value nested too deeply to fingerprint")
    deeper = depth + 1
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return value
    if isinstance(value, float):
        return ("f", repr(value))
    if isinstance(value, Record):
        return ("record", value.id, record_digest(value.id))
    if isinstance(value, enum.Enum):
        return ("enum", type(value).__qualname__, value.name)
    if isinstance(value, PurePath):
        return ("path", str(value))
    if isinstance(value, Mapping):
        pairs = dict.items(value) if isinstance(value, dict) else value.items()
        return ("map", tuple((canonical(k, record_digest, deeper),
                              canonical(v, record_digest, deeper)) for k, v in pairs))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((canonical(v, record_digest, deeper) for v in value),
                                    key=repr)))
    if isinstance(value, (list, tuple)):
        items = list.__iter__(value) if isinstance(value, list) else iter(value)
        return (type(value).__name__, tuple(canonical(v, record_digest, deeper) for v in items))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__, tuple(
            (f.name, canonical(getattr(value, f.name), record_digest, deeper))
            for f in dataclasses.fields(value)))
    if hasattr(value, "__dict__"):
        return (type(value).__qualname__, canonical(vars(value), record_digest, deeper))
    return (type(value).__qualname__, repr(value))


def digest(value: Any, record_digest: Callable[[str], str]) -> str:
    return hashlib.blake2b(repr(canonical(value, record_digest)).encode("utf-8"),
                           digest_size=16).hexdigest()
