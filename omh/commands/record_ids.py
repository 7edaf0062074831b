"""Record ids as commands accept them: an id (``models/x``), or a path to the record's folder or
one of its files, relative to the current folder or absolute."""

from __future__ import annotations

import contextlib
from pathlib import Path

from catalogue.model.kinds import CARD_FILE, RECORD_FILE


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
