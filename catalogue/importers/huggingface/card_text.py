"""Text out of a card (a section's plain text, the opening paragraph, the title), and a model
card completed with the sections the catalogue's model cards cover."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from catalogue.model.card import Card
from catalogue.model.card_markdown import split_lines
from catalogue.model.card_prose import (
    NO_INFORMATION,
    blocks,
    is_filler,
    prose,
    section_markdown,
)
from catalogue.model.card_sections import (
    DATASET_CARD_SECTIONS,
    MODEL_CARD_SECTIONS,
    Section,
    find_section,
    section_matches,
    section_text,
)
from catalogue.model.placeholders import placeholder

TEXT_LIMIT = 2000
SHORT_LIMIT = 300
# Headings that name a template, not the model: "Model Card for X" (X is the model's id),
# AutoTrain's "Model Trained Using AutoTrain", a bare "Model Card".
TEMPLATE_TITLE = re.compile(r"^(model|dataset) card for\s+(?P<name>.+)$", re.IGNORECASE)
GENERIC_TITLES = frozenset({"model trained using autotrain", "model card", "dataset card",
                            "readme", "model description", "model", "dataset",
                            "model id", "dataset name", "model name"})


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def sections_text(card: Card, section: Section,
                  others: tuple[Section, ...] = MODEL_CARD_SECTIONS) -> str:
    """The prose under the card's heading for ``section`` ('' if absent or only filler): its
    own text, or else that of its subsections, leaving out subsections that belong to another
    of ``others`` (a "Uses" section's "Out-of-Scope Use")."""
    sections = card.sections
    index = find_section(sections, section)
    if index is None:
        return ""
    own = _prose(text for _, text in sections[index].lines)
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
        parts.append(_prose(text for _, text in later.lines))
    return " ".join(p for p in parts if p)


def _prose(lines: Iterable[str]) -> str:
    """The real text of Markdown lines, as the site's parser reads them (no comments, code,
    tables or template filler; identifiers such as ``a1_in1k`` kept as written)."""
    return " ".join(prose("\n".join(lines)))


def first_paragraph(body: str) -> str:
    """The first paragraph of real prose before the card's second heading, or ''. A card that
    opens with a list of facts (template bullets) has no opening paragraph."""
    headings = 0
    for block in blocks(body):
        if block.tag.startswith("h"):
            headings += 1
            if headings > 1:
                return ""
            continue
        if block.tag == "p" and not is_filler(block.text):
            return block.text
        if block.tag == "li" and not is_filler(block.text):
            return ""
    return ""


def title(card: Card) -> str:
    """The model's name as the card's first top-level heading gives it: the id in a
    template's "Model Card for <id>", nothing for a generic heading."""
    heading = next((h for h in card.headings if h.level == 1), None)
    if heading is None:
        return ""
    parsed = blocks(heading.text)
    text = parsed[0].text.strip() if parsed else ""
    templated = TEMPLATE_TITLE.match(text)
    if templated:
        text = templated.group("name").strip()
    if text.lower() in GENERIC_TITLES or "{{" in text:
        return ""
    return text


def description(card: Card, kind: str) -> str:
    """The card's opening paragraph, or the prose of its first section (the model's or
    dataset's description) when that is short."""
    sections = MODEL_CARD_SECTIONS[:1] if kind == "model" else DATASET_CARD_SECTIONS[:1]
    text = first_paragraph(card.body)
    if len(text) < 100:
        text = _section_paragraphs(card, sections[0]) or text
    return clip(text, TEXT_LIMIT)


def _section_paragraphs(card: Card, section: Section) -> str:
    """The paragraphs (not list items) of a section and its subsections."""
    index = find_section(card.sections, section)
    if index is None:
        return ""
    return " ".join(b.text for b in blocks(section_markdown(card.sections, index))
                    if b.tag == "p" and not is_filler(b.text))


def _stub_sections(card: Card, expected: tuple[Section, ...]) -> tuple[list[Section],
                                                                        dict[int, Section]]:
    """The sections missing from the card, and those present that hold only filler such as
    "[More Information Needed]" or comments (by the line of their first filler line, or of
    their heading)."""
    sections = card.sections
    missing: list[Section] = []
    stubs: dict[int, Section] = {}
    for section in expected:
        index = find_section(sections, section)
        if index is None:
            missing.append(section)
            continue
        if card.section_content[index]:
            continue
        lines = [(n, t) for n, t in section_text(sections, index) if t.strip()]
        filler = [(n, t) for n, t in lines if NO_INFORMATION.match(t.strip())]
        if filler:
            stubs[filler[0][0]] = section
        else:  # after the heading (a setext heading ends with its underline)
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
