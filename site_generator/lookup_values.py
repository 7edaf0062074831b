"""The digest of the answer to each lookup a unit or a quality report made (``tracing``): what
tells a later build that the answer is the same."""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from catalogue.load.file_digests import FileDigests
from catalogue.model.records import Record
from site_generator.build_cache import Read
from site_generator.tracing import ALL, RECORDS, Digester, TracedDict, TracedList

ABSENT = "absent"
Tables = dict[str, "TracedDict[Any, Any] | TracedList[Any]"]


class Values:
    """The digest of the answer to each lookup, now (``tracing``)."""

    def __init__(self, tables: Tables, digests: FileDigests) -> None:
        self.tables = tables
        self.records: dict[str, Record] = tables[RECORDS]  # type: ignore[assignment]
        self.digests = digests
        self._known: dict[tuple[str, Hashable], str] = {}
        self._digest = Digester(self.record)
        self._absent = self._digest(ABSENT)
        """The digest of a key a table has not: a third of the lookups at 10,000 records (a
        record that is no model has no carbon figures of a model)."""

    def record(self, record_id: str) -> str:
        record = dict.get(self.records, record_id)
        return self.digests.folder(record.folder) if record is not None else ABSENT

    def of(self, table: str, key: Hashable) -> str:
        known = self._known.get((table, key))
        if known is not None:
            return known
        source = self.tables.get(table)
        if source is None:  # a table nobody traces: never the same twice
            value = os.urandom(16).hex()
        elif table == RECORDS:
            value = self._digest([(i, self.record(i)) for i in dict.keys(self.records)]) \
                if key == ALL else self.record(str(key))
        elif key == ALL:
            value = self._digest(list(list.__iter__(source)) if isinstance(source, list)
                                 else dict(dict.items(source)))
        else:
            found = dict.get(source, key, ABSENT) if isinstance(source, dict) else ABSENT
            value = self._absent if found is ABSENT else self._digest(found)
        self._known[(table, key)] = value
        return value

    def known(self, table: str, digests: Mapping[str, str]) -> None:
        """Take the digests of ``table``'s values from who made them (``quality_memo``), and
        the whole table's as theirs, in key order; a key not given is absent."""
        for key, value in digests.items():
            self._known[(table, key)] = value
        self._known[(table, ALL)] = self._digest(sorted(digests.items(), key=repr))

    def noted(self, reads: Iterable[tuple[str, Hashable]]) -> tuple[Read, ...]:
        """``reads`` with the digest of each answer now, in a stable order."""
        return tuple(sorted(((t, k, self.of(t, k)) for t, k in reads), key=repr))

    def still(self, reads: Iterable[Read]) -> bool:
        """Whether every lookup of ``reads`` still gives the same answer."""
        answers = self._known  # (a rebuild asks 300,000 times at 10,000 records)
        for table, key, known in reads:
            answer = answers.get((table, key))
            if (answer if answer is not None else self.of(table, key)) != known:
                return False
        return True
