"""Findings: what every check returns, and the one shape every reporter prints."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import NamedTuple


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
    return Finding(Severity.ERROR, rule, message, location, record_id, field)


def warning(rule: str, message: str, location: Location, record_id: str | None = None,
            field: str | None = None) -> Finding:
    return Finding(Severity.WARNING, rule, message, location, record_id, field)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Stable order for reports: by file, then position, then rule."""
    unique = dict.fromkeys(findings)
    return sorted(unique, key=lambda f: (f.location.path, f.location.line, f.location.column,
                                         f.rule, f.message))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
