"""Text out of a card (a section's plain text, the opening paragraph, the title), and a model
card completed with the sections the catalogue's model cards cover."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from catalogue.model.card import Card
from catalogue.model.card_markdown import split_lines
from catalogue.model.card_sections import (
    DATASET_CARD_SECTIONS,
    MODEL_CARD_SECTIONS,
    Section,
    find_section,
    section_matches,
    section_text,
)
from catalogue.model.placeholders import placeholder

NO_INFORMATION = re.compile(r"^\W*(more information needed|needs more information|"
                            r"\[?more information needed\]?|todo|tbd|n/?a)\W*$", re.IGNORECASE)
TEXT_LIMIT = 2000
SHORT_LIMIT = 300


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def sections_text(card: Card, section: Section,
                  others: tuple[Section, ...] = MODEL_CARD_SECTIONS) -> str:
    """The plain text under the card's heading for ``section`` ('' if absent or a stub): its
    own text, or else that of its subsections, leaving out subsections that belong to another
    of ``others`` (a "Uses" section's "Out-of-Scope Use")."""
    sections = card.sections
    index = find_section(sections, section)
    if index is None:
        return ""
    own = _plain(text for _, text in sections[index].lines)
    if own:
        return own
    level = sections[index].heading.level
    parts: list[str] = []
    skip_below: int | None = None
    for later in sections[index + 1:]:
        if later.heading.level <= level:
            break
        if skip_below is not None and later.heading.level > skip_below:
            continue
        skip_below = None
        if any(o is not section and section_matches(o, later.heading.text) for o in others) \
                and not section_matches(section, later.heading.text):
            skip_below = later.heading.level
            continue
        parts.append(_plain(text for _, text in later.lines))
    return " ".join(p for p in parts if p)


def _plain(lines: Iterable[str]) -> str:
    kept: list[str] = []
    fence = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence or not stripped or stripped.startswith(("<!--", "|", "![", "<")) or \
                NO_INFORMATION.match(stripped):
            continue
        stripped = re.sub(r"^#+\s*|^[-*+]\s+|^\d+[.)]\s+", "", stripped)
        stripped = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", stripped)
        stripped = re.sub(r"[*_`]{1,3}", "", stripped)
        if stripped:
            kept.append(stripped)
    return " ".join(kept)


def first_paragraph(body: str) -> str:
    paragraph: list[str] = []
    fence = False
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            continue
        if not stripped or stripped.startswith("#"):
            if paragraph:
                break
            continue
        if stripped.startswith(("<!--", "![", "[![", "<", "|", "-->")) or \
                NO_INFORMATION.match(stripped):
            continue
        if re.match(r"^([-*+]|\d+[.)])\s", stripped) and not paragraph:
            return ""  # a list of facts, not a description
        paragraph.append(stripped)
    return _plain(paragraph)


def title(card: Card) -> str:
    """The text of the card's first top-level heading."""
    heading = next((h for h in card.headings if h.level == 1), None)
    return re.sub(r"[*_`]", "", heading.text).strip() if heading is not None else ""


def description(card: Card, kind: str) -> str:
    """The card's opening paragraph, or the text of its first section when that is short."""
    sections = MODEL_CARD_SECTIONS[:1] if kind == "model" else DATASET_CARD_SECTIONS[:1]
    text = first_paragraph(card.body)
    if len(text) < 100:
        text = sections_text(card, sections[0]) or text
    return clip(text, TEXT_LIMIT)


def _stub_sections(card: Card, expected: tuple[Section, ...]) -> tuple[list[Section],
                                                                        dict[int, Section]]:
    """The sections missing from the card, and those present whose text is only a stub such as
    "[More Information Needed]" (by the line of their first stub line)."""
    sections = card.sections
    missing: list[Section] = []
    stubs: dict[int, Section] = {}
    for section in expected:
        index = find_section(sections, section)
        if index is None:
            missing.append(section)
            continue
        lines = [(n, t) for n, t in section_text(sections, index) if t.strip()]
        content = [(n, t) for n, t in lines if not t.lstrip().startswith("#")]
        if content and all(NO_INFORMATION.match(t.strip()) for _, t in content):
            stubs[content[0][0]] = section
        elif not content:  # after the heading (a setext heading ends with its underline)
            heading = sections[index].heading
            stubs[heading.line + 1 if heading.underline else heading.line] = section
    return missing, stubs


def _how_to_run(repo_id: str | None, record: dict[str, Any]) -> str | None:
    if not repo_id or record.get("framework") != "transformers" or not record.get("task"):
        return None
    return ("```python\nfrom transformers import pipeline\n\n"
            f"pipe = pipeline({json.dumps(record['task'])}, model={json.dumps(repo_id)})\n"
            "print(pipe(...))  # the input the task takes\n```")


def complete_model_card(card: Card, record: dict[str, Any], repo_id: str | None,
                        notes: list[str], summary: str = "") -> str:
    """The card's text with the catalogue's sections: stubs become placeholders, and the
    missing sections are appended, derived from the metadata where it says enough."""
    missing, stubs = _stub_sections(card, MODEL_CARD_SECTIONS)
    lines = split_lines(card.body)
    for line_number, section in stubs.items():
        original = lines[line_number - card.body_line].strip()
        said = original if NO_INFORMATION.match(original) else "(nothing)"
        notes.append(f"card: section '{section.heading}' said only '{said}'; write what it "
                     "should cover")
    for line_number in sorted(stubs, reverse=True):  # from the end, so the lines stay put
        index, covers = line_number - card.body_line, stubs[line_number].covers
        if NO_INFORMATION.match(lines[index].strip()):
            lines[index] = placeholder(covers)
        else:
            lines.insert(index + 1, "\n" + placeholder(covers))
    text = "\n".join(lines).rstrip("\n") + "\n"
    if not missing:
        return text
    added: list[str] = ["", "<!-- Sections added by omh import-hf: the catalogue's model cards "
                        "cover them. -->"]
    for section in missing:
        content: str | None = None
        if section.heading == "What it predicts" and summary:
            content = summary
        elif section.heading == "License" and record.get("license") and \
                "<FILL" not in str(record["license"]):
            content = f"{record['license']} (from the card's metadata)."
        elif section.heading == "How to run":
            content = _how_to_run(repo_id, record)
        if content is None:
            content = placeholder(section.covers)
            notes.append(f"card: added section '## {section.heading}'; fill it in "
                         f"({section.covers})")
        added += ["", f"## {section.heading}", "", content]
    return text + "\n".join(added) + "\n"
