"""The one date parser: what the schemas allow, what they refuse, and what readers take from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import findings_for, minimal_records, write_catalogue

from catalogue.model.dates import (
    DateError,
    day_of,
    instant,
    iso_day,
    parse_date_or_datetime,
    parse_datetime,
    year_of,
)
from site_generator import formatting


def test_a_date_and_a_date_time_with_its_zone_are_read() -> None:
    assert parse_date_or_datetime("2025-10-14") == date(2025, 10, 14)
    assert parse_date_or_datetime("2025-10-14T17:42:00Z") == datetime(2025, 10, 14, 17, 42,
                                                                       tzinfo=UTC)
    plus_two = timezone(timedelta(hours=2))
    assert parse_datetime("2025-10-14T17:42:05.25+02:00") == datetime(
        2025, 10, 14, 17, 42, 5, 250000, tzinfo=plus_two)
    assert parse_datetime("2025-10-14T17:42Z").minute == 42


@pytest.mark.parametrize(("text", "says"), [
    ("2025-10-14T17:42:00", "no time zone"),
    ("14/10/2025", "write a date as"),
    ("2025-10-14 17:42:00Z", "write a date as"),
    ("20251014", "write a date as"),
    ("2025-W42-2", "write a date as"),
    ("2025-02-30", "day is out of range"),
    ("2025-13-01", "month must be in 1..12"),
    ("2025-10-14T24:00:00Z", "hour must be in 0..23"),
])
def test_anything_else_is_refused_with_what_to_write(text: str, says: str) -> None:
    with pytest.raises(DateError, match=says):
        parse_date_or_datetime(text)


def test_a_date_time_field_wants_the_time() -> None:
    with pytest.raises(DateError, match="needs a time"):
        parse_datetime("2025-10-14")


def test_readers_get_the_day_the_year_and_an_instant_to_order_by() -> None:
    late_in_tokyo = "2025-10-14T23:30:00+09:00"
    assert day_of(late_in_tokyo) == date(2025, 10, 14)  # the day as written, not in UTC
    assert iso_day(late_in_tokyo) == "2025-10-14"
    assert instant(late_in_tokyo) == datetime(2025, 10, 14, 14, 30, tzinfo=UTC)
    assert instant("2025-10-14") == datetime(2025, 10, 14, tzinfo=UTC)
    assert year_of(None, "not a date", "2024-02-29T08:00:00Z", "2023-01-01") == 2024
    for wrong in (None, 2025, "2025", "2025-10-14T08:00:00"):
        assert day_of(wrong) is None and instant(wrong) is None and iso_day(wrong) is None


def test_the_site_prints_dates_from_the_same_parser() -> None:
    assert formatting.date("2025-10-14") == "14 Oct 2025"
    assert formatting.date("2025-10-14T17:42:00Z") == "14 Oct 2025, 17:42 UTC"
    assert formatting.date("2025-10-14T17:42:00+02:00") == "14 Oct 2025, 17:42 (UTC+02:00)"
    assert formatting.date("yesterday") == "yesterday"
    assert formatting.day("2025-10-14T17:42:00Z") == "2025-10-14"


def test_the_schema_check_and_the_time_order_rule_use_it(tmp_path: Path) -> None:
    records: dict[str, Any] = minimal_records()
    records["experiments/test-run"].update(start_time="2025-01-31T08:00:00+02:00",
                                           end_time="2025-01-31T07:30:00Z",
                                           duration_seconds=9000)
    records["models/test-model"]["created_at"] = "2025-02-30"
    findings = findings_for(write_catalogue(tmp_path, records))
    schema = [f.message for f in findings if f.rule == "schema"]
    assert any("created_at" in m and "day is out of range" in m for m in schema), schema
    # 08:00+02:00 is 06:00Z, so 07:30Z comes after it: in order, but 5400 s, not 9000 s.
    assert not [f for f in findings if f.rule == "time-order"]
    [duration] = [f for f in findings if f.rule == "duration"]
    assert "5400 s" in duration.message
