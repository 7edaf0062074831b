"""Small conversions the importers share: another tool's text values to typed scalars, its
times to the catalogue's ISO 8601 date-times, keys to the names a ``scalar_map`` allows, a
column's role from its name, and an existing record's leading comments."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

SCALAR_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
"""The keys ``defs.schema.json#/$defs/scalar_map`` allows (hyperparameters, config)."""
SCALAR_KEY_MAX = 100
TARGET_NAMES = frozenset({"label", "labels", "target", "targets", "class", "y", "species"})
INTEGER = re.compile(r"^[-+]?\d+$")
FLOAT = re.compile(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")


def scalar(text: str) -> str | int | float | bool | None:
    """A parameter logged as text, typed: ``"0.5"`` is 0.5, ``"1000"`` 1000, ``"True"`` true,
    ``"None"`` null; anything else stays text."""
    stripped = text.strip()
    if INTEGER.match(stripped) and len(stripped) < 19:
        return int(stripped)
    if FLOAT.match(stripped):
        value = float(stripped)
        return value if math.isfinite(value) else text
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    return text


def is_scalar_key(key: str) -> bool:
    return bool(SCALAR_KEY.match(key)) and len(key) <= SCALAR_KEY_MAX


def iso_from_millis(millis: int | float) -> str:
    """Milliseconds since the epoch as ``2025-11-03T10:15:00.123Z`` (whole seconds without
    the fraction)."""
    moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def iso_from_naive_utc(text: str) -> str | None:
    """A time written without a zone but meant as UTC (CodeCarbon's ``2025-11-03T10:15:00``)
    in the catalogue's form, or None when it is not a time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def column_role(name: str, data_type: str | None = None) -> str:
    """``target`` for a column named like one (label, target, class...), else ``feature``."""
    lowered = name.lower().rsplit("/", 1)[-1]
    if lowered in TARGET_NAMES or (data_type == "category" and lowered.endswith("label")):
        return "target"
    return "feature"


def leading_comments(text: str) -> list[str]:
    """The comment lines a YAML file opens with (without their '# ')."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return lines


def has_inner_comments(text: str) -> bool:
    """Whether a YAML file has comments beyond its opening block (which a rewrite drops)."""
    body = text.splitlines()[len(leading_comments(text)):]
    return any(re.match(r"^\s*#", line) or re.search(r"\s#\s", line) for line in body)


def plain(value: Any) -> Any:
    """A value with tuples made lists (what the YAML writer and the schema expect)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
