"""Findings: what every check returns, and the one shape every reporter prints."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import NamedTuple

MAX_VALUE_CHARS = 80
"""A value echoed in a message is cut to this many characters."""
MAX_MESSAGE_CHARS = 2000
"""No message is longer: a check that quotes a whole value still prints a bounded line."""


def clip(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """``value`` quoted for a message (``repr`` of text), cut to about ``limit`` characters
    with the number left out; safe for numbers of any size."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a number of about {int(value.bit_length() * 0.30103):,} digits"
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    cut = text[:limit]
    shown = repr(cut)[:-1] + "...'" if isinstance(value, str) else cut + "..."
    return f"{shown} ({len(text) - limit:,} more characters)"


def clip_message(message: str) -> str:
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"{message[:MAX_MESSAGE_CHARS]}... ({len(message) - MAX_MESSAGE_CHARS:,} more " \
        "characters)"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Location(NamedTuple):
    """A place in a file: ``path`` is relative to the catalogue root, lines and columns from 1."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Finding(NamedTuple):
    severity: Severity
    rule: str
    message: str
    location: Location
    record_id: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": str(self.severity),
            "rule": self.rule,
            "message": self.message,
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "record": self.record_id,
            "field": self.field,
        }


def error(rule: str, message: str, location: Location, record_id: str | None = None,
          field: str | None = None) -> Finding:
    return Finding(Severity.ERROR, rule, clip_message(message), location, record_id,
                   field if field is None else clip_message(field))


def warning(rule: str, message: str, location: Location, record_id: str | None = None,
            field: str | None = None) -> Finding:
    return Finding(Severity.WARNING, rule, clip_message(message), location, record_id,
                   field if field is None else clip_message(field))


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Stable order for reports: by file, then position, then rule."""
    unique = dict.fromkeys(findings)
    return sorted(unique, key=lambda f: (f.location.path, f.location.line, f.location.column,
                                         f.rule, f.message))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
