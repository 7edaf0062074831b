"""A card: the ``README.md`` next to a record, read once and parsed once.

Like huggingface_hub's ``RepoCard``, a card is data plus text: YAML front matter (the metadata
the Hugging Face Hub reads, such as ``license`` and ``co2_eq_emissions``) and a Markdown body.
Every check, the quality score, the carbon report, the site and the Hugging Face importer read
this one parse, so they agree on where the front matter ends and which headings there are.

* The front matter is found with the Hub's own rule (``huggingface_hub.repocard.
  REGEX_YAML_BLOCK``), extended only so that a block closed by YAML's document-end marker
  ``...`` counts too; such a card gets a warning, since the Hub itself knows only ``---``.
* The front matter is read with the catalogue's line-aware YAML reader, so a problem names the
  line in README.md.
* The headings are those Python-Markdown renders (``catalogue.model.card_markdown``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from catalogue.model.card_markdown import (
    CardSection,
    CodeBlock,
    Heading,
    Line,
    outline,
    split_lines,
)
from catalogue.model.findings import Severity
from catalogue.model.yaml_source import YamlDocument, YamlError, parse_yaml

__all__ = ["FRONT_MATTER", "Card", "CardProblem", "CardSection", "CodeBlock", "FrontMatter",
           "Heading", "Line", "parse_card", "read_card"]

FRONT_MATTER = re.compile(
    r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)(---|\.\.\.)[ \t]*(\r\n|\n|$))")
"""``huggingface_hub.repocard.REGEX_YAML_BLOCK`` with ``...`` accepted as the closing line."""
_OPENING = re.compile(r"^\s*---(?:\r\n|\r|\n)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
HUB_CLOSING = "---"


class CardProblem(NamedTuple):
    """Something wrong with the card as a file or in its front matter."""

    code: str
    """``unreadable``, ``yaml``, ``not-mapping``, ``unclosed`` or ``document-end``."""
    message: str
    line: int = 1
    column: int = 1

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.code in ("unclosed", "document-end") else Severity.ERROR


@dataclass(frozen=True)
class FrontMatter:
    yaml: str
    """The text between the opening and the closing line."""
    first_line: int
    """The line of README.md that ``yaml`` starts on."""
    closing: str
    """``---``, or YAML's document-end marker ``...``."""
    closing_line: int
    doc: YamlDocument | None
    """The parsed metadata, its positions being lines of README.md; None when it cannot be read
    (the card's problems say why)."""

    @property
    def data(self) -> dict[str, Any]:
        value = self.doc.value if self.doc is not None else None
        return value if isinstance(value, dict) else {}

    def line_of(self, key: str) -> int:
        """The line of README.md where ``key`` is written (the front matter's first line if it
        is not)."""
        if self.doc is None or key not in self.data:
            return self.first_line
        return self.doc.key_position((key,))[0]


@dataclass(frozen=True)
class Card:
    text: str
    """The whole file, decoded (without a byte order mark); empty when it cannot be read."""
    front_matter: FrontMatter | None
    body: str
    """The Markdown after the front matter: what the site renders."""
    body_line: int
    """The line of README.md that ``body`` starts on."""
    headings: tuple[Heading, ...]
    sections: tuple[CardSection, ...]
    code_blocks: tuple[CodeBlock, ...]
    problems: tuple[CardProblem, ...]
    size_bytes: int
    section_content: tuple[bool, ...] = ()
    """For each of ``sections``, whether its Markdown (its subsections' included) says something
    (``card_prose.sections_with_content``): worked out once when the card is parsed, and kept with
    it in the record cache, since the checks, the quality score and the importers all ask."""

    @property
    def readable(self) -> bool:
        return not any(p.code == "unreadable" for p in self.problems)

    @property
    def read_problem(self) -> str | None:
        return next((p.message for p in self.problems if p.code == "unreadable"), None)

    @property
    def metadata(self) -> dict[str, Any]:
        """The front matter's mapping (empty when there is none or it cannot be read)."""
        return self.front_matter.data if self.front_matter is not None else {}

    @classmethod
    def unreadable(cls, message: str, line: int = 1, size_bytes: int = 0) -> Card:
        return cls("", None, "", 1, (), (), (), (CardProblem("unreadable", message, line),),
                   size_bytes)


def _line_of_offset(text: str, offset: int) -> int:
    return len(_LINE_BREAK.findall(text, 0, offset)) + 1


def _front_matter(text: str) -> tuple[FrontMatter | None, int, list[CardProblem]]:
    """The front matter, the offset where the body starts, and what is wrong with it."""
    match = FRONT_MATTER.match(text)
    if match is None:
        if _OPENING.match(text):
            line = _line_of_offset(text, text.index("---"))
            return None, 0, [CardProblem(
                "unclosed", "the YAML front matter opened with '---' is never closed, so it is "
                "shown as text and its metadata is not read; end the metadata with a line '---'",
                line)]
        return None, 0, []
    first_line = _line_of_offset(text, match.start(2))
    closing_line = _line_of_offset(text, match.start(4))
    problems: list[CardProblem] = []
    doc: YamlDocument | None = None
    try:
        # Blank lines before the YAML make the reader count lines as README.md does.
        doc = parse_yaml("\n" * (first_line - 1) + match.group(2))
    except YamlError as exc:
        problems.append(CardProblem("yaml", f"the card's YAML front matter cannot be read: "
                                    f"{exc.message}", exc.line, exc.column))
    if doc is not None and doc.value is not None and not isinstance(doc.value, dict):
        problems.append(CardProblem(
            "not-mapping", f"the card's front matter is a {type(doc.value).__name__}; expected a "
            "mapping of metadata (license: ..., tags: [...])", first_line))
        doc = None
    closing = match.group(4)
    if closing != HUB_CLOSING:
        problems.append(CardProblem(
            "document-end", f"the front matter ends with '{closing}'; the Hugging Face Hub "
            f"only recognises '{HUB_CLOSING}' there and would show the metadata as text: close "
            f"it with '{HUB_CLOSING}'", closing_line))
    return (FrontMatter(match.group(2), first_line, closing, closing_line, doc), match.end(),
            problems)


def _sections(body: str, first_line: int, headings: tuple[Heading, ...]) -> list[CardSection]:
    starts = {h.line: h for h in headings}
    underlines = {h.line + 1 for h in headings if h.underline}
    sections = [CardSection(Heading(0, "", first_line), ())]
    lines: list[Line] = []
    for number, line in enumerate(split_lines(body), start=first_line):
        if number in starts:
            sections[-1] = sections[-1]._replace(lines=tuple(lines))
            sections.append(CardSection(starts[number], ()))
            lines = []
        elif number not in underlines:
            lines.append((number, line))
    sections[-1] = sections[-1]._replace(lines=tuple(lines))
    return sections


def parse_card(text: str, size_bytes: int | None = None) -> Card:
    """The card in ``text`` (the contents of a README.md)."""
    text = text.removeprefix("\ufeff")
    front_matter, body_start, problems = _front_matter(text)
    body = text[body_start:]
    body_line = _line_of_offset(text, body_start)
    headings, code_blocks = outline(body, body_line)
    sections = tuple(_sections(body, body_line, headings))
    return Card(text, front_matter, body, body_line, headings, sections, code_blocks,
                tuple(problems), len(text.encode("utf-8")) if size_bytes is None else size_bytes,
                _section_content(sections))


def _section_content(sections: tuple[CardSection, ...]) -> tuple[bool, ...]:
    from catalogue.model.card_prose import sections_with_content  # it reads cards' sections

    return sections_with_content(sections)


def read_card(path: Path, folder: Path | None = None) -> Card | None:
    """The card at ``path``, read with one open; None when there is no such file. A card that
    cannot be read (not UTF-8, not a file, or with ``folder``, a symlink out of that folder) is
    returned with the problem."""
    name = path.name
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:  # a broken link, a loop
            return Card.unreadable(f"{name} is a symlink that cannot be followed: {exc}")
        if folder is not None and not target.is_relative_to(folder.resolve()):
            return Card.unreadable(f"{name} is a symlink to a file outside the record's "
                                   "folder; put the card itself in the folder")
    elif not path.exists():
        return None
    else:
        target = path
    if not target.is_file():
        return Card.unreadable(f"{name} is not a regular file")
    try:
        raw = target.read_bytes()
    except OSError as exc:
        return Card.unreadable(f"{name} cannot be read ({exc.strerror})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return Card.unreadable(f"{name} is not UTF-8 text (byte {exc.start} on line {line}); "
                               "save it as UTF-8", line, len(raw))
    return parse_card(text, len(raw))
