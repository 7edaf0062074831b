"""The digests that say whether a cached unit's lookups still give the same answers."""

from __future__ import annotations

from pathlib import Path

from conftest import minimal_records, write_catalogue

from catalogue.derive.leaderboards import Entry, Leaderboard, ranks_by_model
from catalogue.derive.metrics import METRICS
from catalogue.load.file_digests import FileDigests
from catalogue.model.records import Record
from catalogue.pipeline import load_catalogue
from site_generator.lookup_values import ABSENT, Values
from site_generator.tracing import RECORDS, Deferred, Digester, trace, traced


def test_a_record_in_a_value_counts_by_its_id_and_files(tmp_path: Path) -> None:
    catalogue, _ = load_catalogue(write_catalogue(tmp_path / "hub", minimal_records()),
                                  check=False, keep_records=False)
    record = next(iter(catalogue.records.values()))
    value = {"report": [record, 1.5, ("a", None)]}
    files = {record.id: "one"}
    digest = Digester(files.__getitem__)
    first = digest(value)
    assert digest({"report": [record, 1.5, ("a", None)]}) == first
    # One digester serves a whole build: what it digested before (the same objects, which its
    # pickler's memo would name by reference) does not change a later value's digest.
    shared = ("a", None)
    digest([shared, shared])
    assert digest({"report": [record, 1.5, shared]}) == first
    assert Digester(files.__getitem__)([shared, shared]) == digest([shared, shared])
    files[record.id] = "two"  # the record's folder changed
    assert digest(value) != first
    # Records are found by their exact type: a subclass would be pickled whole instead.
    assert Record.__subclasses__() == []


def _entry(model: str, rank: int) -> Entry:
    return Entry(model, model.title(), None, None, None, "passed", 0.9 - rank / 10, None, None,
                 None, (), rank=rank)


def test_a_models_standing_counts_by_what_its_page_shows() -> None:
    """A model's page reads its standing on a board (the board's name and size, its own
    entry), not the whole board: another model moving changes it only through a rank."""
    board = Leaderboard("classification", "datasets/d", "D", "test", METRICS["accuracy"],
                        [_entry("models/a", 1), _entry("models/b", 2)])
    digest = Digester(str)
    first = ranks_by_model([board])
    board.entries[1] = _entry("models/b", 3)  # b moved; a's entry and the board's size did not
    again = ranks_by_model([board])
    assert digest(again["models/a"]) == digest(first["models/a"])
    assert digest(again["models/b"]) != digest(first["models/b"])
    board.entries[0] = _entry("models/a", 2)
    assert digest(ranks_by_model([board])["models/a"]) != digest(first["models/a"])
    board.entries.append(_entry("models/c", 4))  # a third model: the size a's page shows
    assert ranks_by_model([board])["models/a"][0].size == 3


def test_a_deferred_value_is_made_once_when_first_looked_up() -> None:
    made: list[str] = []

    def make(name: str) -> Deferred[str]:
        return Deferred(lambda: made.append(name) or name.upper())

    table = traced("t", {"a": make("a"), "b": make("b"), "c": "plain"})
    with trace() as reads:
        assert table.get("a") == "A" and table["a"] == "A" and table["c"] == "plain"
    assert made == ["a"] and reads == {("t", "a"), ("t", "c")}
    assert dict(table.items()) == {"a": "A", "b": "B", "c": "plain"} and made == ["a", "b"]
    assert table.get("missing", "default") == "default"


def test_a_key_a_table_has_not_reads_as_absent(tmp_path: Path) -> None:
    """Whatever the table, a key it has not gives one digest (made once), which a key it has
    never gives; a read of it holds as long as the key stays absent."""
    table = traced("scores", {"a": 1, "b": [2, 3]})
    values = Values({"scores": table, "names": traced("names", {"a": "x"}),
                     RECORDS: traced(RECORDS, {})}, FileDigests(None, tmp_path))
    absent = values.of("scores", "c")
    assert absent == values.of("names", "missing") == Digester(str)(ABSENT)
    assert absent not in (values.of("scores", "a"), values.of("scores", "b"))
    assert values.still([("scores", "c", absent), ("scores", "a", values.of("scores", "a"))])
    assert not values.still([("names", "a", absent)])
