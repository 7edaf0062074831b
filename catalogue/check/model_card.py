"""A model's card covers the sections seed 001 asks for (``MODEL_CARD_SECTIONS``), shows the
inference command in a fenced code block, and names the model's input and output tensors."""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalogue.check.card_file import card_location
from catalogue.model.card import Heading, Line
from catalogue.model.card_sections import (
    MODEL_CARD_SECTIONS,
    Section,
    find_section,
    has_code_block,
    section_text,
)
from catalogue.model.findings import Finding, error, warning
from catalogue.model.kinds import CARD_FILE, RECORD_FILE
from catalogue.model.records import Record


def check_model_card(record: Record) -> Iterator[Finding]:
    card = record.card
    if card is None:
        yield error("card", f"the model has no card: add {CARD_FILE} next to {RECORD_FILE} with "
                    "the sections " + ", ".join(f"'## {s.heading}'" for s in MODEL_CARD_SECTIONS),
                    record.location(), record.id)
        return
    if not card.readable:
        return  # reported by the card-file check
    for section in MODEL_CARD_SECTIONS:
        index = find_section(card.sections, section)
        if index is None:
            yield error("card-section", f"missing section: expected a heading '## "
                        f"{section.heading}' covering {section.covers}",
                        card_location(record), record.id)
            continue
        heading = card.sections[index].heading
        lines = section_text(card.sections, index)
        if not card.section_content[index]:
            said = "is empty" if not any(text.strip() for _, text in lines) else \
                "holds only template filler or comments"
            yield error("card-section", f"section '{heading.text}' {said}; it should cover "
                        f"{section.covers} (expected under '## {section.heading}')",
                        card_location(record, heading.line), record.id)
        elif section.heading == "How to run" and not has_code_block(card, lines):
            yield warning("card-section", f"section '{heading.text}' has no fenced code block; "
                          "show the exact inference command in one (```)",
                          card_location(record, heading.line), record.id)
        elif section.heading in ("Inputs", "Outputs"):
            yield from _tensor_names_mentioned(record, section, heading, lines)


def _tensor_names_mentioned(record: Record, section: Section, heading: Heading,
                            lines: list[Line]) -> Iterator[Finding]:
    key = "input_schema" if section.heading == "Inputs" else "output_schema"
    tensors = record.data.get(key)
    if not isinstance(tensors, list):
        return
    body = "\n".join(text for _, text in lines)
    for tensor in tensors:
        name = tensor.get("name") if isinstance(tensor, dict) else None
        if isinstance(name, str) and not re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", body):
            yield warning("card-section", f"section '{heading.text}' does not name the "
                          f"{section.heading[:-1].lower()} tensor '{name}' of {key}; say what "
                          "it holds (shape, channel order, units, normalisation)",
                          card_location(record, heading.line), record.id)
