"""No ``<FILL ...>`` placeholder of a template is left in a record or its card; and the findings
that only echo one are dropped, so a contributor sees one message per placeholder."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from catalogue.model.findings import Finding, Location, error
from catalogue.model.kinds import CARD_FILE, RECORD_FILE
from catalogue.model.placeholders import RULE, find_placeholders
from catalogue.model.records import Record


def _placeholder_findings(record: Record, name: str, text: str) -> Iterator[Finding]:
    if "<FILL" not in text:
        return
    for line, column, hint in find_placeholders(text):
        yield error(RULE, f"{name}: placeholder left to fill in: {hint or 'a value'}",
                    Location(f"{record.id}/{name}", line, column), record.id)


def _texts(record: Record) -> Iterator[tuple[str, str]]:
    """The record's and its card's text; files that cannot be read are reported by the loader
    and the card check."""
    try:
        text = (record.folder / RECORD_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    yield RECORD_FILE, text
    if record.card is not None and record.card.readable:
        yield CARD_FILE, record.card.text


def check_record_placeholders(record: Record) -> Iterator[Finding]:
    """No ``<FILL ...>`` placeholder of a template is left in the record or its card."""
    for name, text in _texts(record):
        yield from _placeholder_findings(record, name, text)


def has_placeholders(record: Record) -> bool:
    """Whether the record or its card still holds a ``<FILL ...>`` placeholder."""
    return any("<FILL" in text for _, text in _texts(record))


def without_placeholder_echoes(findings: Iterable[Finding]) -> list[Finding]:
    """The findings minus those that only repeat an unfilled placeholder: any other finding on
    a line that holds one (the schema and reference checks see '<FILL ...>' as a wrong value),
    or quoting one. A contributor then sees one message per placeholder, saying what to write."""
    findings = list(findings)
    lines = {(f.location.path, f.location.line) for f in findings if f.rule == RULE}
    if not lines:
        return findings
    return [f for f in findings if f.rule == RULE or (
        (f.location.path, f.location.line) not in lines and "<FILL" not in f.message)]
