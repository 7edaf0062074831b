"""Rules that span fields of one record: times in order, lifecycle, identifiers with checksums,
counts that must add up. Each rule is a function ``(record) -> findings``."""

from __future__ import annotations

from collections.abc import Iterator

from catalogue.model.dates import instant
from catalogue.model.findings import Finding, error, warning
from catalogue.model.lifecycle import (
    REASON_FIELD,
    REPLACEMENT_FIELD,
    RETIRED,
    STATUS_FIELD,
    keeps_files,
    misplaced_field,
    missing_reason,
)
from catalogue.model.pointers import POINTER_FIELDS
from catalogue.model.records import Record

DURATION_TOLERANCE_SECONDS = 60


def check_time_order(record: Record) -> Iterator[Finding]:
    data = record.data
    for start_field, end_field in (("start_time", "end_time"), ("created_at", "updated_at")):
        start, end = instant(data.get(start_field)), instant(data.get(end_field))
        if start and end and end < start:
            yield error("time-order", f"field '{end_field}': {data[end_field]} is before "
                        f"{start_field} {data[start_field]}", record.location((end_field,)),
                        record.id, end_field)
    start, end = instant(data.get("start_time")), instant(data.get("end_time"))
    duration = data.get("duration_seconds")
    if start and end and isinstance(duration, int | float) and not isinstance(duration, bool):
        elapsed = (end - start).total_seconds()
        if abs(elapsed - duration) > DURATION_TOLERANCE_SECONDS:
            yield error("duration", f"field 'duration_seconds': {duration:g} s, but start_time to "
                        f"end_time is {elapsed:g} s; fix one of them (or leave duration_seconds "
                        "out: it is derived from the times)",
                        record.location(("duration_seconds",)), record.id, "duration_seconds")


def check_lifecycle(record: Record) -> Iterator[Finding]:
    data, status = record.data, record.status
    if missing_reason(data):
        yield error("lifecycle", f"field '{REASON_FIELD}': a {status} record must say why "
                    f"(add {REASON_FIELD}, and {REPLACEMENT_FIELD} if something replaces it)",
                    record.location((STATUS_FIELD,)), record.id, REASON_FIELD)
    present = misplaced_field(data)
    if present:
        yield error("lifecycle", f"field '{present}': only a {' or '.join(RETIRED)} "
                    "record is replaced or gives a status reason; set status or remove the "
                    "field", record.location((present,)), record.id, present)
    if not keeps_files(status):
        downloadable = [p for pattern in POINTER_FIELDS for p, a in record.values_at(pattern)
                        if isinstance(a, dict) and ("path" in a or "url" in a)]
        if downloadable:
            yield error("lifecycle", f"a {status} record keeps its metadata but no files: "
                        f"remove the {len(downloadable)} downloadable artefact(s)",
                        record.location(downloadable[0]), record.id, "artefacts")


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2, as ORCID specifies."""
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def ror_checksum_ok(ror: str) -> bool:
    """ISO 7064 MOD 97-10 over the Crockford base-32 value of the first seven characters."""
    value = 0
    for char in ror[:7]:
        value = value * 32 + _CROCKFORD.index(char)
    return 98 - (value * 100) % 97 == int(ror[7:])


def check_identifiers(record: Record) -> Iterator[Finding]:
    orcid = record.data.get("orcid_id")
    if isinstance(orcid, str) and len(orcid) == 19 and not orcid_checksum_ok(orcid):
        yield error("orcid", f"field 'orcid_id': '{orcid}' fails the ORCID checksum; copy the iD "
                    "from the researcher's ORCID page", record.location(("orcid_id",)), record.id,
                    "orcid_id")
    ror = record.data.get("ror_id")
    if (isinstance(ror, str) and len(ror) == 9 and all(c in _CROCKFORD for c in ror[:7])
            and ror[7:].isdigit() and not ror_checksum_ok(ror)):
        yield error("ror", f"field 'ror_id': '{ror}' fails the ROR checksum; copy the id from "
                    "the organisation's page on ror.org", record.location(("ror_id",)), record.id,
                    "ror_id")


def check_dataset_counts(record: Record) -> Iterator[Finding]:
    if record.kind.name != "dataset":
        return
    data = record.data
    columns = record.mappings("columns")
    stated = data.get("num_features")
    if columns and isinstance(stated, int):
        features = sum(1 for c in columns if c.get("role", "feature") == "feature")
        if features != stated:
            yield error("counts", f"field 'num_features': {stated}, but columns lists {features} "
                        "feature column(s)", record.location(("num_features",)), record.id,
                        "num_features")
    names = [c.get("name") for c in columns]
    for index, name in enumerate(names):
        if name in names[:index]:
            yield error("counts", f"field 'columns[{index}].name': column '{name}' is listed "
                        "twice", record.location(("columns", index, "name")), record.id,
                        f"columns[{index}].name")
    total = data.get("num_records")
    splits = record.mappings("splits")
    if isinstance(total, int) and splits and all(isinstance(s.get("num_records"), int)
                                                 for s in splits):
        summed = sum(s["num_records"] for s in splits)
        if summed != total:
            yield warning("counts", f"field 'splits': the splits hold {summed} records but "
                          f"num_records is {total}", record.location(("splits",)), record.id,
                          "splits")


def check_experiment_state(record: Record) -> Iterator[Finding]:
    if record.kind.name != "experiment":
        return
    data = record.data
    if data.get("experiment_status") == "completed" and "end_time" not in data:
        yield warning("experiment", "field 'end_time': a completed experiment should say when it "
                      "ended", record.location(("experiment_status",)), record.id, "end_time")
    if data.get("experiment_type") == "fine-tuning" and "base_model" not in data:
        yield error("experiment", "field 'base_model': a fine-tuning experiment must name the "
                    "model it started from", record.location(("experiment_type",)), record.id,
                    "base_model")


# Google Dataset Search ignores a dataset whose description is shorter or longer than this.
DATASET_DESCRIPTION_CHARS = (50, 5000)


def check_dataset_description(record: Record) -> Iterator[Finding]:
    description = record.data.get("description")
    if record.kind.name != "dataset" or not isinstance(description, str):
        return
    low, high = DATASET_DESCRIPTION_CHARS
    if not low <= len(description) <= high:
        yield warning("google-dataset", f"field 'description': {len(description)} characters; "
                      f"Google Dataset Search needs {low} to {high}, so this dataset will not be "
                      "indexed there", record.location(("description",)), record.id,
                      "description")


RECORD_RULES = (check_time_order, check_lifecycle, check_identifiers, check_dataset_counts,
                check_experiment_state, check_dataset_description)
