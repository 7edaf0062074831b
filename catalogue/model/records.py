"""Typed records: the data of one ``record.yaml`` with the position of every value in it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from catalogue.model.card import Card, FrontMatter, read_card
from catalogue.model.findings import Location
from catalogue.model.kinds import CARD_FILE, WILDCARD, RecordKind, Reference
from catalogue.model.lifecycle import status_of
from catalogue.model.yaml_source import FieldPath, YamlDocument, format_path


@dataclass
class Record:
    id: str
    kind: RecordKind
    folder: Path
    """Absolute path of the record's folder."""
    file: str
    """Path of ``record.yaml`` relative to the catalogue root, as messages print it."""
    doc: YamlDocument
    kept_card: Callable[[Path], Card | None] | None = field(default=None, repr=False,
                                                            compare=False)
    """Where the card as an earlier run parsed it may be found (``None`` for the card if its
    file changed since): asked on first use of ``card``, which reads the file otherwise."""
    kept_front_matter: Callable[[Path], tuple[bool, FrontMatter | None]] | None = field(
        default=None, repr=False, compare=False)
    """Where the front matter of the card as an earlier run parsed it may be found, apart from
    the rest of the card: (whether it was, the front matter)."""

    @cached_property
    def data(self) -> dict[str, Any]:
        """The record's mapping (``{}`` when the file holds something else): read by every
        stage, a hundred times a record in a build, so kept on the record."""
        value = self.doc.value
        return value if isinstance(value, dict) else {}

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[1]

    @property
    def title(self) -> str:
        return self.kind.title(self.data) or self.slug

    @property
    def status(self) -> str:
        return status_of(self.data)

    @property
    def card_path(self) -> Path:
        return self.folder / CARD_FILE

    @cached_property
    def card(self) -> Card | None:
        """The card (README.md) next to the record, read and parsed on first use and kept: every
        check and the site read this one copy. None when the record has no card; a card that
        cannot be read carries the problem (``Card.read_problem``)."""
        kept = self.kept_card(self.card_path) if self.kept_card is not None else None
        return kept if kept is not None else read_card(self.card_path, self.folder)

    @cached_property
    def card_front_matter(self) -> FrontMatter | None:
        """The front matter of the card (None: no card, or none in it), taken apart from the
        rest of the card where an earlier run kept it so: the carbon roll-up reads every
        model's, and unpickling 3,000 whole cards took 0.3-0.45 s of a 10,000-record
        rebuild."""
        if "card" not in self.__dict__ and self.kept_front_matter is not None:
            kept, front_matter = self.kept_front_matter(self.card_path)
            if kept:
                return front_matter
        card = self.card
        return card.front_matter if card is not None else None

    def location(self, path: FieldPath = ()) -> Location:
        """Where the value at ``path`` is written (for a mapping key: the key's line)."""
        line, column = self.doc.key_position(path) if path else (1, 1)
        return Location(self.file, line, column)

    def get(self, path: FieldPath) -> Any:
        value: Any = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(value, list) or part >= len(value):
                    return None
                value = value[part]
            else:
                if not isinstance(value, dict):
                    return None
                value = value.get(part)
        return value

    def items(self, field: str) -> list[Any]:
        """The list in ``field``, or ``[]`` when it is absent or not a list (the schema check
        reports the wrong type; later stages need not guard against it again)."""
        value = self.data.get(field)
        return value if isinstance(value, list) else []

    def mappings(self, field: str) -> list[dict[str, Any]]:
        """The mappings in the list ``field``, skipping items of the wrong type."""
        return [item for item in self.items(field) if isinstance(item, dict)]

    def values_at(self, pattern: tuple[str, ...]) -> Iterator[tuple[FieldPath, Any]]:
        """Every value matching ``pattern``; ``*`` stands for each item of a list."""
        yield from values_at(self.data, pattern)

    def references(self) -> Iterator[tuple[Reference, FieldPath, Any]]:
        """Each value of a reference field, with its reference and path."""
        return iter(self._references)

    @cached_property
    def _references(self) -> tuple[tuple[Reference, FieldPath, Any], ...]:
        """Found once: the link graph, the link checks and the standards' relations each ask,
        ten times a record in a build."""
        return tuple((reference, path, value) for reference in self.kind.references
                     for path, value in self.values_at(reference.path) if value is not None)

    def referenced_ids(self) -> set[str]:
        return {value for _, _, value in self.references() if isinstance(value, str)}


def values_at(data: Any, pattern: tuple[str, ...]) -> Iterator[tuple[FieldPath, Any]]:
    """Every value in ``data`` (a record's mapping, or any parsed YAML) matching ``pattern``,
    with its path."""
    yield from _walk(data, pattern, ())


def _walk(value: Any, pattern: tuple[str, ...],
          prefix: FieldPath) -> Iterator[tuple[FieldPath, Any]]:
    if not pattern:
        yield prefix, value
        return
    head, rest = pattern[0], pattern[1:]
    if head == WILDCARD:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _walk(item, rest, (*prefix, index))
    elif isinstance(value, dict) and head in value:
        yield from _walk(value[head], rest, (*prefix, head))


def field_name(path: FieldPath) -> str:
    return format_path(path) or "(record)"
