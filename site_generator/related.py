"""Bounded lists of related records.

A page shows at most ``INLINE_LIMIT`` records of a relation (an organisation's models, a
dataset's experiments, ...) and links to a paginated page with all of them, so no page grows
with the catalogue. Each relation of each record gets at most one such page series, and every
entry appears in one of them once: the total stays linear in the number of references.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from catalogue.link.catalogue import Catalogue
from catalogue.model.records import Record

INLINE_LIMIT = 20
PAGE_SIZE = 100


class RelatedList(NamedTuple):
    key: str
    """The relation, as a URL segment: ``models``, ``used-in``, ..."""
    title: str
    ids: tuple[str, ...]
    """What the page shows (at most ``INLINE_LIMIT``)."""
    total: int
    more_path: str | None
    """The page with all of them, when some are not shown."""


class OverflowRequest(NamedTuple):
    owner: Record
    key: str
    title: str
    ids: tuple[str, ...]


def by_title(catalogue: Catalogue, ids: Iterable[str]) -> list[str]:
    """Record ids in the order people look for them: by title, then id."""
    return sorted(dict.fromkeys(ids), key=lambda i: (catalogue.title_of(i).casefold(), i))


def overflow_path(owner_id: str, key: str, page: int = 1) -> str:
    base = f"{owner_id}/related/{key}/"
    return base if page == 1 else f"{base}page/{page}/"


@dataclass
class Overflow:
    """Collects the related lists too long to show inline, to generate their pages later."""

    catalogue: Catalogue
    requests: list[OverflowRequest] = field(default_factory=list)

    def related(self, owner: Record, key: str, title: str, ids: Iterable[str]) -> RelatedList:
        ordered = tuple(by_title(self.catalogue, ids))
        if len(ordered) <= INLINE_LIMIT:
            return RelatedList(key, title, ordered, len(ordered), None)
        self.requests.append(OverflowRequest(owner, key, title, ordered))
        return RelatedList(key, title, ordered[:INLINE_LIMIT], len(ordered),
                           overflow_path(owner.id, key))


def pages_of(ids: tuple[str, ...], size: int = PAGE_SIZE) -> list[tuple[str, ...]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)] or [()]
