"""Artefact check: local files inside their folder with the stated size and sha256; remote ones
with a usable, pinned URL and, once fetched, the stated bytes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from catalogue.check.context import CheckContext
from catalogue.load.artefacts import Resolver
from catalogue.model.findings import Finding, clip, error, warning
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import (
    POINTER_FIELDS,
    ArtefactError,
    ArtefactUnavailable,
    record_pointers,
)
from catalogue.model.records import Record
from catalogue.model.yaml_source import FieldPath, format_path


def pointer_finding(record: Record, field: FieldPath, problem: ArtefactError) -> Finding:
    """The one finding for a pointer problem, so that two checks meeting the same problem
    report it identically (and the report shows it once)."""
    make = warning if isinstance(problem, ArtefactUnavailable) else error
    name = format_path(field)
    return make(problem.rule, f"field '{name}': {problem.message}", record.location(field),
                record.id, name)


def check_record_artefacts(record: Record, resolver: Resolver) -> Iterator[Finding]:
    """Local artefacts are inside the folder with the stated size and sha256; remote ones have
    a usable URL and, when in the cache, the stated bytes. Nothing is downloaded unless the
    resolver is online."""
    yield from duplicate_entries(record)
    if record.status == DELETED:
        return  # a deleted record's files are gone by design (the lifecycle rule checks it)
    for field, pointer, problem in record_pointers(record):
        if problem is not None:
            yield pointer_finding(record, field, problem)
            continue
        if pointer is None:
            continue
        if pointer.hf is not None and not pointer.hf.pinned_to_commit:
            yield warning("artefact-url", f"field '{format_path(field)}': revision "
                          f"'{pointer.hf.revision}' is a branch or tag, which can move; pin the "
                          "commit hash the checksum was taken from", record.location(field),
                          record.id, format_path(field))
        try:
            resolver.resolve(record.folder, pointer)
        except ArtefactUnavailable:
            continue  # not a defect of the record; omh parity reports what it could not fetch
        except ArtefactError as exc:
            yield pointer_finding(record, field, exc)


def duplicate_entries(record: Record) -> Iterator[Finding]:
    """A file is listed once per list; the same path or URL with two checksums is an error
    anywhere (which entry would the site, parity and the immutability gate believe?)."""
    seen: dict[tuple[str, str], tuple[FieldPath, object]] = {}
    for pattern in POINTER_FIELDS:
        for field, entry in record.values_at(pattern):
            if not isinstance(entry, dict):
                continue
            target = entry.get("path") or entry.get("url")
            if not isinstance(target, str):
                continue
            name = format_path(field)
            for (where, other), (first, sha256) in seen.items():
                if other != target:
                    continue
                if where == str(field[0]) or sha256 != entry.get("sha256"):
                    yield error("artefact-duplicate", f"field '{name}': {clip(target)} is "
                                f"already listed at {format_path(first)}; list each file once "
                                "(a changed file is a new version)", record.location(field),
                                record.id, name)
                    break
            seen.setdefault((str(field[0]), target), (field, entry.get("sha256")))


def check_artefacts(context: CheckContext) -> Iterable[Finding]:
    resolver = Resolver.from_settings(context.store.root, context.store.settings.artefacts)
    for record in context.records:
        yield from check_record_artefacts(record, resolver)
