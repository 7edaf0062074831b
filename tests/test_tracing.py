"""The digests that say whether a cached unit's lookups still give the same answers."""

from __future__ import annotations

from pathlib import Path

from conftest import minimal_records, write_catalogue

from catalogue.model.records import Record
from catalogue.pipeline import load_catalogue
from site_generator.tracing import digest


def test_a_record_in_a_value_counts_by_its_id_and_files(tmp_path: Path) -> None:
    catalogue, _ = load_catalogue(write_catalogue(tmp_path / "hub", minimal_records()),
                                  check=False, keep_records=False)
    record = next(iter(catalogue.records.values()))
    value = {"report": [record, 1.5, ("a", None)]}
    files = {record.id: "one"}
    first = digest(value, files.__getitem__)
    assert digest({"report": [record, 1.5, ("a", None)]}, files.__getitem__) == first
    files[record.id] = "two"  # the record's folder changed
    assert digest(value, files.__getitem__) != first
    # Records are found by their exact type: a subclass would be pickled whole instead.
    assert Record.__subclasses__() == []
