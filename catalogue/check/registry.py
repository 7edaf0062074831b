"""The checks ``omh validate`` runs, in order: one list, one place to add a check."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from catalogue.check.artefacts import check_artefacts
from catalogue.check.card_file import check_card_file
from catalogue.check.context import Check, CheckContext
from catalogue.check.labels import check_labels
from catalogue.check.model_card import check_model_card
from catalogue.check.parity_check import check_parity
from catalogue.check.placeholders import check_record_placeholders
from catalogue.check.portability import check_portability
from catalogue.check.references import check_links
from catalogue.check.rules import RECORD_RULES
from catalogue.check.sensitive import check_sensitive_content
from catalogue.load.artefacts import Resolver
from catalogue.load.forked import forked_map
from catalogue.model.card import Card
from catalogue.model.findings import Finding
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import record_pointers
from catalogue.model.records import Record


def folder_checks(record: Record, resolver: Resolver) -> Iterator[Finding]:
    """Every check whose findings depend on nothing but the record's folder (and, through
    ``resolver``, the artefact cache, for a record that points elsewhere)."""
    for rule in RECORD_RULES:
        yield from rule(record)
    yield from check_card_file(record)
    if record.kind.name == "model" and record.status != DELETED:
        yield from check_model_card(record)
    yield from check_labels(record, resolver)
    yield from check_sensitive_content(record)
    yield from check_portability(record, resolver)
    yield from check_record_placeholders(record)


def own_folder_checks(context: CheckContext) -> Iterator[Finding]:
    """``folder_checks`` on every record in scope; in a run over the whole catalogue, a record
    whose folder is as it was has the findings it had (``findings_memo``). The others are
    checked in ``context.jobs`` processes when there are many (``forked``): most of the time
    goes to parsing cards, which each worker sends back with the findings, for the pages and
    the record cache."""
    store = context.store
    resolver = Resolver.from_settings(store.root, store.settings.artefacts)
    memo = store.findings_memo
    found: dict[str, list[Finding]] = {}
    to_check = []
    remembered = set()  # the records whose findings the memo keeps
    for record in context.records:
        if memo is not None:
            # The memo keeps only records whose artefacts are all files of their folder: one
            # whose folder (its record file included) is unchanged still is.
            kept = memo.kept(record.id, record.folder)
            if kept is not None:
                found[record.id] = kept
                continue
            if _only_own_files(record):
                remembered.add(record.id)
        to_check.append(record)

    def check(index: int) -> tuple[list[Finding], Card | None]:
        record = to_check[index]
        return [*folder_checks(record, resolver),
                *(f for gate in context.folder_gates for f in gate(record))], record.card

    checked = forked_map(check, range(len(to_check)), context.jobs)
    for record, (findings, card) in zip(to_check, checked, strict=True):
        record.card = card  # (a no-op here; from a worker, the card it parsed)
        if memo is not None and record.id in remembered:
            memo.keep(record.id, record.folder, findings)
        found[record.id] = findings
    for record in context.records:
        yield from found[record.id]


def _only_own_files(record: Record) -> bool:
    """Whether every artefact the record points at is a file in its folder (a URL's file may
    come into the artefact cache, and change what the checks find)."""
    return all(pointer is not None and pointer.is_local
               for _, pointer, _ in record_pointers(record))


def links(context: CheckContext) -> Iterable[Finding]:
    return check_links(context.records, context.store)


CHECKS: tuple[Check, ...] = (own_folder_checks, links, check_artefacts, check_parity)
