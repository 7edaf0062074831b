"""Scaffolding: ``omh new KIND SLUG`` writes a record (and, for a kind with a card, its card)
from the commented templates in ``catalogue/templates/`` that the kind's ``scaffolding`` names,
and ``omh validate`` refuses any ``<FILL ...>`` placeholder left in a record or card, saying
where it is and what it asks for.

A template validates once every placeholder is filled: the placeholders stand where the
contributor's knowledge is needed, everything else is prefilled or commented out.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from catalogue.load.safe_write import write_text_no_follow
from catalogue.model.ids import is_slug, suggest_slug
from catalogue.model.kinds import CARD_FILE, KINDS, KINDS_BY_FOLDER, RECORD_FILE, RecordKind
from catalogue.model.placeholders import placeholder


class ScaffoldError(Exception):
    """A request ``omh new`` cannot carry out; the message says why and what to do."""


def kind_named(name: str) -> RecordKind:
    """The kind called ``name`` (``model`` or its folder ``models``), or ``ScaffoldError``."""
    lowered = name.strip().lower()
    kind = KINDS.get(lowered) or KINDS_BY_FOLDER.get(lowered)
    if kind is None:
        raise ScaffoldError(f"unknown kind '{name}'; expected one of {', '.join(KINDS)}")
    return kind


def title_from_slug(slug: str) -> str:
    return " ".join(word.capitalize() for word in slug.split("-"))


def _template(name: str) -> str | None:
    resource = resources.files("catalogue").joinpath("templates", name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


@dataclass(frozen=True)
class Scaffold:
    record_id: str
    files: dict[str, str]
    """File name (record.yaml, README.md) -> text."""


def render(kind: RecordKind, slug: str, name: str | None = None,
           today: datetime.date | None = None) -> Scaffold:
    """The files of a new record of ``kind`` called ``slug``, not yet written."""
    if not is_slug(slug):
        raise ScaffoldError(f"'{slug}' is not a valid slug: use lower-case letters, digits and "
                            f"single hyphens, e.g. '{suggest_slug(slug)}'")
    record_id = kind.record_id(slug)
    title = (name or "").strip() or title_from_slug(slug)
    first, _, last = title.rpartition(" ")
    values = {
        "id": record_id, "slug": slug, "kind": kind.name,
        "name": json.dumps(title, ensure_ascii=False),
        "title": title,
        "first_name": json.dumps(first, ensure_ascii=False) if name and first
        else placeholder("first name"),
        "last_name": json.dumps(last, ensure_ascii=False) if name and first
        else placeholder("last name"),
        "today": (today or datetime.date.today()).isoformat(),
    }
    files: dict[str, str] = {}
    record_text = _template(kind.scaffolding.record)
    if record_text is None:
        raise ScaffoldError(f"no template {kind.scaffolding.record} for a {kind.name}")
    files[RECORD_FILE] = Template(record_text).safe_substitute(values)
    card_text = _template(kind.card.template) if kind.card else None
    if card_text is not None:
        card_values = dict(values, name=title)
        files[CARD_FILE] = Template(card_text).safe_substitute(card_values)
    return Scaffold(record_id, files)


def write(root: Path, scaffold: Scaffold, force: bool = False) -> list[Path]:
    """Write the scaffold under ``root``; refuse to overwrite an existing record unless
    ``force``. Returns the files written."""
    folder = root / scaffold.record_id
    if (folder / RECORD_FILE).exists() and not force:
        raise ScaffoldError(f"{scaffold.record_id}/{RECORD_FILE} already exists; choose another "
                            "slug (a new version is a new record with parent_version) or pass "
                            "--force to overwrite it")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in scaffold.files.items():
        path = folder / name
        write_text_no_follow(path, text, within=root)
        written.append(path)
    return written
