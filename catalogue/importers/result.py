"""What every importer hands back: a record (and card, and small files) made from another tool's
output, the notes a reviewer must read, and the one way to write it into the catalogue.

An importer never writes: it returns an ``Imported``; the command writes it with
``write_import`` and then runs ``omh validate`` on the result, so a record that does not
validate yet is never left behind without saying what is left to fill.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from catalogue.load.safe_write import check_no_symlink, write_text_no_follow
from catalogue.model.kinds import CARD_FILE, RECORD_FILE, RecordKind
from catalogue.model.placeholders import placeholder


class ImportRefused(Exception):
    """Input an importer cannot use; the message names the file (and line, field) and says what
    was found and what was expected."""


@dataclass
class Imported:
    """A record made by an importer, not yet written."""

    kind: RecordKind
    slug: str
    record: dict[str, Any]
    source: str
    """How the header names what was imported (never a private absolute path)."""
    tool: str
    """The command that made it, e.g. ``omh import-mlflow``."""
    card: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    """Small files to write into the record's folder (copied artefacts), by relative path."""
    notes: list[str] = field(default_factory=list)
    """What could not be mapped, and what a reviewer must check or add."""
    header: list[str] = field(default_factory=list)
    """Comment lines above the record (without '# '); by default where it was imported from."""
    update: bool = False
    """The record existed and was updated in place (its hand-written fields kept)."""

    @property
    def record_id(self) -> str:
        return self.kind.record_id(self.slug)


def people_fields(created_by: Iterable[str], organization: str | None) -> dict[str, Any]:
    """``created_by`` and ``organization``, as given or as placeholders saying how to add them."""
    people = list(created_by)
    return {
        "created_by": people or ["researchers/" + placeholder(
            "researcher slug; add the person first with omh new researcher SLUG")],
        "organization": organization or ("organizations/" + placeholder(
            "organization slug; add it first with omh new organization SLUG")),
    }


class _Dumper(yaml.SafeDumper):
    """Writes dates as plain text (the catalogue reads YAML 1.2: a date stays a string)."""


_Dumper.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()}


class Inline(dict[str, Any]):
    """A mapping written on one line (``{step: 3, value: 0.41, ...}``), for long series."""


def _inline(dumper: yaml.SafeDumper, data: Inline) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", dict(data), flow_style=True)


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    """Paragraphs as a literal block, a long line folded (``>-``), so records stay readable."""
    if "\n" in data and data == data.strip():
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    if len(data) > 80 and data == data.strip() and "  " not in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(Inline, _inline)
_Dumper.add_representer(str, _text)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96,
                     default_flow_style=False)


def _compact_series(record: dict[str, Any]) -> dict[str, Any]:
    """The record with each metric's ``steps`` written one point per line."""
    metrics = record.get("metrics")
    if not isinstance(metrics, list):
        return record
    compact = []
    for metric in metrics:
        if isinstance(metric, dict) and isinstance(metric.get("steps"), list):
            metric = {**metric, "steps": [Inline(p) if isinstance(p, dict) else p
                                          for p in metric["steps"]]}
        compact.append(metric)
    return {**record, "metrics": compact}


def record_text(imported: Imported) -> str:
    header = imported.header or [
        f"Imported from {imported.source} by {imported.tool}.",
        "Review every field and fill in each FILL placeholder, then run:",
        f"  omh validate {imported.record_id}"]
    return "".join(f"# {line}".rstrip() + "\n" for line in header) + dump_yaml(
        _compact_series(imported.record))


def write_import(root: Path, imported: Imported, force: bool = False) -> list[Path]:
    """Write the record (and card and files) under ``root``; refuse to replace an existing
    record unless ``force`` or the import is an update of it. Returns the files written."""
    folder = root / imported.record_id
    if (folder / RECORD_FILE).exists() and not (force or imported.update):
        raise ImportRefused(f"{imported.record_id}/{RECORD_FILE} already exists; choose another "
                            "--slug, or pass --force to overwrite it")
    check_no_symlink(folder, root)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for relative, content in imported.files.items():
        path = folder / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            raise ImportRefused(f"{relative}: a file must stay inside {imported.record_id}/")
        path.parent.mkdir(parents=True, exist_ok=True)
        check_no_symlink(path, root)
        path.write_bytes(content)
        written.append(path)
    record_path = folder / RECORD_FILE
    write_text_no_follow(record_path, record_text(imported), within=root)
    written.insert(0, record_path)
    if imported.card is not None:
        card_path = folder / CARD_FILE
        write_text_no_follow(card_path, imported.card, within=root)
        written.insert(1, card_path)
    return written
