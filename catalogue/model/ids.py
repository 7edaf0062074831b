"""Record ids: a record's id is its path, ``<kind folder>/<slug>``. The slug rule and the other
identifier rules (git commits, Hugging Face repository ids), each matched against the whole text
(``fullmatch``: ``$`` alone would let a final newline through), and the one way to turn what a
person types (an id, a folder, a file inside a record) into an id."""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable
from pathlib import Path

from catalogue.model.kinds import CARD_FILE, RECORD_FILE

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
"""Lower-case letters and digits in words joined by single hyphens; ``defs.schema.json`` says
the same (a test holds them together)."""
SLUG = re.compile(SLUG_PATTERN)


COMMIT = re.compile(r"[0-9a-f]{40}")
"""A full git commit hash (what pins a Hugging Face revision)."""
HF_REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?")
"""A Hugging Face repository id: ``name`` or ``owner/name``."""


def is_slug(text: str) -> bool:
    """Whether ``text`` is a slug, all of it."""
    return SLUG.fullmatch(text) is not None


def is_commit(text: str) -> bool:
    return COMMIT.fullmatch(text) is not None


def is_hf_repo_id(text: str) -> bool:
    return HF_REPO_ID.fullmatch(text) is not None and ".." not in text


def suggest_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "my-record"


def normalise_record_id(value: str, root: Path) -> str:
    """``models/x`` for ``models/x``, ``models/x/``, ``models/x/model.onnx`` or its absolute
    path; anything else comes back stripped, for the caller to report as unknown."""
    path = Path(value)
    if path.is_absolute() or path.exists():
        with contextlib.suppress(ValueError):
            parts = path.resolve().relative_to(root).parts
            value = "/".join(parts[:2]) if len(parts) >= 2 else "/".join(parts)
    value = value.strip().strip("/")
    for suffix in (f"/{RECORD_FILE}", f"/{CARD_FILE}"):
        value = value.removesuffix(suffix)
    return value


def closest_id(record_id: str, ids: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The id among ``ids`` that ``record_id`` most likely misspells, for a "did you mean"."""
    close = difflib.get_close_matches(record_id, list(ids), n=1, cutoff=cutoff)
    return close[0] if close else None
