"""Dates and date-times as records write them: the one parser.

The schemas allow an ISO 8601 calendar date (``2025-10-14``) or a date-time that carries its
time zone (``2025-10-14T17:42:00Z``, ``2025-10-14T17:42:00+02:00``). Records keep them as
strings (YAML 1.2 does not turn them into dates); everything that reads one goes through here.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime

_FORM = re.compile(r"^(\d{4})-(\d{2})-(\d{2})"
                   r"(?:T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
EXAMPLE_DATE = "2025-10-14"
EXAMPLE_DATETIME = "2025-10-14T17:42:00Z"


class DateError(ValueError):
    """Not a date or date-time the schemas allow; the message says what to write."""


def parse_date_or_datetime(text: str) -> date | datetime:
    """A ``date`` for ``2025-10-14``, an aware ``datetime`` for ``2025-10-14T17:42:00Z``."""
    parsed = _parsed(text)
    if isinstance(parsed, str):
        raise DateError(parsed)
    return parsed


@functools.lru_cache(maxsize=1 << 16)
def _parsed(text: str) -> date | datetime | str:
    """``parse_date_or_datetime``'s answer, or its error's message, remembered: a build reads
    each record's dates ten times over (lists, sitemaps, exports; 100,000 reads at 10,000
    records), and the answers are values that never change."""
    try:
        return _parse(text)
    except DateError as exc:
        return str(exc)


def _parse(text: str) -> date | datetime:
    match = _FORM.match(text.strip())
    if not match:
        raise DateError(f"write a date as {EXAMPLE_DATE} or a date-time as {EXAMPLE_DATETIME}")
    try:
        if match.group(4) is None:
            return date.fromisoformat(text.strip())
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as exc:  # a month 13, a 30 February, an hour 24
        raise DateError(str(exc)) from None
    if parsed.tzinfo is None:
        raise DateError("the time has no time zone: add Z for UTC or an offset like +02:00")
    return parsed


def parse_datetime(text: str) -> datetime:
    """A date-time with its zone; a bare date is refused (the field wants the time too)."""
    parsed = parse_date_or_datetime(text)
    if not isinstance(parsed, datetime):
        raise DateError(f"a date-time needs a time: write e.g. {EXAMPLE_DATETIME}")
    return parsed


def parsed_or_none(value: object) -> date | datetime | None:
    """What ``parse_date_or_datetime`` gives, or ``None`` for anything else (a value of the
    wrong type or form, which the schema check reports)."""
    if not isinstance(value, str):
        return None
    try:
        return parse_date_or_datetime(value)
    except DateError:
        return None


def instant(value: object) -> datetime | None:
    """The moment a value names, for ordering: a date counts from its midnight UTC. ``None``
    for anything that is not a valid date or date-time (the schema check reports those)."""
    parsed = parsed_or_none(value)
    if parsed is None or isinstance(parsed, datetime):
        return parsed
    return datetime.combine(parsed, datetime.min.time(), UTC)


def day_of(value: object) -> date | None:
    """The calendar day a date or date-time names, as written (its own time zone)."""
    parsed = parsed_or_none(value)
    return parsed.date() if isinstance(parsed, datetime) else parsed


def iso_day(value: object) -> str | None:
    """``YYYY-MM-DD`` of a date or date-time, for sitemaps, sorting and exports."""
    return _iso_day(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=1 << 16)
def _iso_day(text: str) -> str | None:
    """(Remembered, as ``_parsed``: the lists sort every record by its day.)"""
    day = day_of(text)
    return day.isoformat() if day else None


def year_of(*values: object) -> int | None:
    """The year of the first value that is a valid date or date-time."""
    for value in values:
        day = day_of(value)
        if day is not None:
            return day.year
    return None
