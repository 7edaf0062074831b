"""A record's whole version chain, for the page of every version: each released version is its
own record, linked to the one before by ``parent_version`` (and to the ones after by the
derived ``next_versions``). The chain is listed oldest first, the page's own version and the
latest marked, so that a reader of an old version learns that a newer one exists."""

from __future__ import annotations

from typing import NamedTuple

from catalogue.link.catalogue import Catalogue
from catalogue.model.lifecycle import DELETED
from catalogue.model.records import Record
from site_generator import formatting

CHAIN_LIMIT = 50
"""Versions listed at most (a chain longer than this is cut at its far ends)."""


class Version(NamedTuple):
    record_id: str
    version: str | None
    status: str
    created: str | None
    current: bool
    latest: bool


def _root(record: Record, catalogue: Catalogue) -> Record:
    """The first version: ``parent_version`` followed back (no further than ``CHAIN_LIMIT``,
    never round a loop)."""
    seen = {record.id}
    current = record
    while len(seen) < CHAIN_LIMIT:
        parent_id = current.data.get("parent_version")
        parent = catalogue.get(parent_id) if isinstance(parent_id, str) else None
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        current = parent
    return current


def version_chain(record: Record, catalogue: Catalogue) -> list[Version]:
    """Every version of the record's chain, oldest first; empty when it has no other version.
    The latest is the newest version (by creation date) that nothing replaces and that is not
    deleted."""
    root = _root(record, catalogue)
    order: dict[str, int] = {root.id: 0}
    queue = [root.id]
    while queue and len(order) < CHAIN_LIMIT:
        current = queue.pop(0)
        for child in catalogue.graph.related(current, "next_versions"):
            if child not in order and catalogue.get(child) is not None:
                order[child] = order[current] + 1
                queue.append(child)
    order.setdefault(record.id, max(order.values()) + 1)
    if len(order) < 2:
        return []
    members = [catalogue.records[i] for i in order]
    members.sort(key=lambda r: (order[r.id], formatting.day(r.data.get("created_at")) or "",
                                r.id))
    leaves = [r for r in members if r.status != DELETED and not any(
        n in order for n in catalogue.graph.related(r.id, "next_versions"))]
    latest = max(leaves, key=lambda r: (formatting.day(r.data.get("created_at")) or "",
                                        order[r.id]), default=None)
    return [Version(r.id, r.data.get("version") if isinstance(r.data.get("version"), str)
                    else None, r.status, r.data.get("created_at"), r.id == record.id,
                    latest is not None and r.id == latest.id) for r in members]


def newer_version(chain: list[Version]) -> Version | None:
    """The latest version, when the page is of another one."""
    latest = next((v for v in chain if v.latest), None)
    return latest if latest is not None and not latest.current else None
