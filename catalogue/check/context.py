"""What every catalogue-wide check receives."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding
from catalogue.model.records import Record

FolderCheck = Callable[[Record], Iterable[Finding]]
"""A check of one record whose findings depend on nothing but the record's folder."""


class CheckContext(NamedTuple):
    store: RecordStore
    records: list[Record]
    """The records in scope: the whole catalogue, or the named records and their referrers."""
    named: frozenset[str] | None = None
    """The ids of the records the command named (files given), or None when checking all."""
    base: str | None = None
    """The git revision given with ``--base``, for checks that ask what changed since."""
    jobs: int = 1
    """Processes the checks of many records may run in (``forked``)."""
    folder_gates: tuple[FolderCheck, ...] = ()
    """Checks of later stages that read nothing but the record's folder: run with the
    folder checks, and their findings kept with theirs (``findings_memo``)."""


Check = Callable[[CheckContext], Iterable[Finding]]
