"""Reading a Croissant file: the JSON with its line numbers for messages, then mlcroissant's own
reader (``mlcroissant.Metadata.from_file``), whose validation errors are refused with the line
of the node they name."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, NamedTuple

from catalogue.importers.extras import require
from catalogue.importers.result import ImportRefused

COMMAND = "omh import-croissant"
MAX_BYTES = 20_000_000
_NODE = re.compile(r"(\w+)\(([^()]*)\)\]")


class CroissantFile(NamedTuple):
    path: Path
    text: str
    metadata: Any
    """``mlcroissant.Metadata``."""
    warnings: list[str]

    def line_of(self, node: str) -> int:
        """The line where the node with this ``@id`` (or ``name``) is written (1 if none)."""
        return line_of(self.text, node)


def line_of(text: str, node: str) -> int:
    for key in ("@id", "name"):
        found = re.search(rf'"{key}"\s*:\s*{re.escape(json.dumps(node))}', text)
        if found:
            return text.count("\n", 0, found.start()) + 1
    return 1


def _located(text: str, path: Path, issue: str) -> str:
    """An mlcroissant issue ("[Metadata(x) > FileObject(y)] Property ... is mandatory") with the
    file and the line of the innermost node it names."""
    nodes = _NODE.findall(issue.split("]", 1)[0] + "]") or []
    where = line_of(text, nodes[-1][1]) if nodes else 1
    return f"{path}:{where}: {issue.strip().removeprefix('-').strip()}"


def read_croissant(path: Path) -> CroissantFile:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportRefused(f"{path}: larger than {MAX_BYTES // 1_000_000} MB; expected a "
                                "Croissant JSON-LD description")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"{path}: cannot read it: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"{path}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}); expected "
                            "a Croissant JSON-LD description") from None
    if not isinstance(document, dict) or "@context" not in document:
        raise ImportRefused(f"{path}:1: expected a JSON-LD object with an @context (a Croissant "
                            "description, as Hugging Face, Kaggle and OpenML publish them)")
    mlc = require("mlcroissant", COMMAND)
    logging.getLogger("absl").setLevel(logging.ERROR)
    context = mlc.Context()
    try:
        metadata = mlc.Metadata.from_file(ctx=context, file=path)
    except mlc.ValidationError as exc:
        issues = [line for line in str(exc).splitlines() if line.strip().startswith("-")]
        errors = issues[:len(context.issues.errors)] or issues or [str(exc)]
        raise ImportRefused("; ".join(_located(text, path, issue) for issue in errors)
                            + " (mlcroissant's validation)") from None
    except Exception as exc:  # mlcroissant raises many kinds on JSON-LD it cannot expand
        raise ImportRefused(f"{path}:1: mlcroissant cannot read it: {type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    warnings = [_located(text, path, w) for w in sorted(context.issues.warnings)]
    return CroissantFile(path, text, metadata, warnings)
