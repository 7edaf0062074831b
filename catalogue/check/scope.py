"""What a check run covers: the whole catalogue, or the records named and the records that refer
to them (what a commit can have broken)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from catalogue.load.store import RecordStore
from catalogue.model.kinds import KINDS_BY_FOLDER


@dataclass
class Scope:
    ids: list[str]
    named: set[str]
    whole: bool


def ids_for_paths(store: RecordStore, paths: Sequence[Path]) -> set[str]:
    """Map files and folders (as pre-commit passes them) to the record ids they belong to."""
    ids: set[str] = set()
    for path in paths:
        try:
            relative = path.resolve().relative_to(store.root)
        except ValueError:
            continue
        parts = relative.parts
        if not parts or parts[0] not in KINDS_BY_FOLDER:
            continue
        if len(parts) == 1:
            ids.update(store.ids(KINDS_BY_FOLDER[parts[0]].name))
        else:
            ids.add(f"{parts[0]}/{parts[1]}")
    return ids


def select_scope(store: RecordStore, paths: Sequence[Path] | None) -> Scope:
    if not paths:
        return Scope(sorted(store.paths), set(store.paths), True)
    named = ids_for_paths(store, paths)
    in_scope = {i for i in named if store.exists(i)} | store.referrers(named)
    return Scope(sorted(in_scope), named, False)
