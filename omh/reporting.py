"""Print findings as text for people, JSON for programs, or GitHub Actions workflow commands so
that problems show on the pull request's lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from catalogue.model.findings import Finding, Severity

FORMATS = ("text", "json", "github")


def _display_path(root: Path, path: str) -> str:
    """Paths relative to where the command runs, so editors and GitHub can open them."""
    full = root / path
    try:
        return full.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return full.as_posix()


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_findings(findings: Sequence[Finding], root: Path, fmt: str, checked: int) -> str:
    if fmt == "json":
        errors = sum(1 for f in findings if f.severity is Severity.ERROR)
        return json.dumps({
            "checked_records": checked,
            "errors": errors,
            "warnings": len(findings) - errors,
            "findings": [f.as_dict() | {"path": _display_path(root, f.location.path)}
                         for f in findings],
        }, indent=2)
    lines = []
    for f in findings:
        path = _display_path(root, f.location.path)
        if fmt == "github":
            lines.append(
                f"::{f.severity} file={_escape_property(path)},line={f.location.line},"
                f"col={f.location.column},title={_escape_property(f.rule)}::"
                f"{_escape_data(f.message)}")
        else:
            lines.append(f"{path}:{f.location.line}:{f.location.column}: {f.severity}: "
                         f"{f.message} [{f.rule}]")
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    summary = (f"{checked} record(s) checked: {errors} error(s), "
               f"{len(findings) - errors} warning(s)")
    if fmt == "github":
        lines.append(f"::notice title=omh validate::{summary}")
    else:
        lines.append(summary)
    return "\n".join(lines)
