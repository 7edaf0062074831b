"""Every card can be read, and its front matter is metadata the Hugging Face Hub reads too: YAML
that parses, a mapping, closed by ``---``."""

from __future__ import annotations

from collections.abc import Iterator

from catalogue.model.findings import Finding, Location
from catalogue.model.kinds import CARD_FILE
from catalogue.model.records import Record

RULE = "card-front-matter"


def card_location(record: Record, line: int = 1, column: int = 1) -> Location:
    return Location(f"{record.id}/{CARD_FILE}", line, column)


def check_card_file(record: Record) -> Iterator[Finding]:
    card = record.card
    if card is None:
        return
    for problem in card.problems:
        rule = "card" if problem.code == "unreadable" else RULE
        yield Finding(problem.severity, rule, problem.message,
                      card_location(record, problem.line, problem.column), record.id)
