"""What every catalogue-wide check receives."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding
from catalogue.model.records import Record


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


Check = Callable[[CheckContext], Iterable[Finding]]
