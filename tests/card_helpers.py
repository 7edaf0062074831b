"""Helper for the card tests: the small catalogue of ``conftest`` with the test model's card
and record changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import MODEL_CARD, minimal_records, write_catalogue

MODEL = "models/test-model"


def model_catalogue(root: Path, card: str = MODEL_CARD, **changes: Any) -> Path:
    """The small catalogue with ``card`` as the test model's README.md and ``changes`` made to
    its record."""
    records = minimal_records()
    records[MODEL].update(changes)
    write_catalogue(root, dict(records))
    (root / MODEL / "README.md").write_text(card, encoding="utf-8")
    return root
