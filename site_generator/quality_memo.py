"""The quality reports of a build: each asset's report from the last build while everything it
read is unchanged, as a record's unit is reused (``record_units``).

Scoring every asset is most of what a rebuild derives (two seconds at 10,000 records), and each
page that shows a score has its report's digest checked. An asset's report reads the record
(its folder's files), other records by id, and the link graph; the lookups are noted
(``tracing``) while it is scored, and the report is kept in the build cache as a blob of JSON,
whose id is the digest pages' lookups of it are checked against. A report whose lookups all
give the same answers again is not scored: it is read back (``tracing.Deferred``) only if a
page built again asks for it, so a rebuild reads the reports of the records it changed, not
all 9,000 of them.
"""

from __future__ import annotations

import functools
import hashlib
import json

from catalogue.derive.quality import Lookup, QualityReport, is_scored, score_record
from catalogue.link.catalogue import Catalogue
from catalogue.link.graph import Graph
from catalogue.load.forked import forked_map
from catalogue.model.findings import Finding
from catalogue.model.records import Record
from site_generator.build_cache import BuildCache, CachedReport
from site_generator.lookup_values import Values
from site_generator.tracing import INCOMING, OUTGOING, QUALITY, RECORDS, Deferred, note, trace


class _NotedLookup(Lookup):
    """The criteria's lookups, noted: a record by id is its folder (``RECORDS``); links are
    noted by the traced graph."""

    def get(self, record_id: object) -> Record | None:
        if isinstance(record_id, str):
            note(RECORDS, record_id)
        return super().get(record_id)

    def load_errors(self, record_id: str) -> list[Finding]:
        note(RECORDS, record_id)
        return super().load_errors(record_id)


def remembered_reports(catalogue: Catalogue, cache: BuildCache, values: Values,
                       jobs: int = 1) -> dict[str, QualityReport]:
    """Every asset's report, by record id: kept ones read back, the others scored, in ``jobs``
    processes when there are many (``forked``), and kept for the next build with
    ``cache.keep_reports``. ``values`` learns each report's digest."""
    lookup = _NotedLookup(catalogue.store, Graph(
        catalogue.records, values.tables[OUTGOING], values.tables[INCOMING]))  # type: ignore[arg-type]
    scored = [r for r in dict.values(catalogue.records) if is_scored(r)]
    reports: dict[str, QualityReport] = {}
    digests: dict[str, str] = {}
    kept: dict[str, CachedReport] = {}
    to_score = []
    for record in scored:
        entry = cache.reports.get(record.id)
        if entry is not None and cache.holds(entry.report) and values.still(entry.reads):
            # (Made when the traced table is looked up: ``record_units.trace_tables``.)
            reports[record.id] = Deferred(functools.partial(_kept, cache, entry.report, record,
                                                            lookup))  # type: ignore[assignment]
            digests[record.id], kept[record.id] = entry.report, entry
        else:
            to_score.append(record)
    if to_score:  # the links of every asset, found in one pass
        lookup.prepare(r.id for r in scored)

    def score(index: int) -> tuple[QualityReport, str, CachedReport | None]:
        """(In a worker, the report is put in the cache there.)"""
        record = to_score[index]
        with trace() as reads:
            note(RECORDS, record.id)
            report = score_record(record, lookup)
        content = _json(report)
        blob = cache.put(content)
        return (report, blob or hashlib.sha256(content).hexdigest(),
                CachedReport(values.noted(reads), blob) if blob is not None else None)

    scores = forked_map(score, range(len(to_score)), jobs)
    for record, (report, digest, entry) in zip(to_score, scores, strict=True):
        reports[record.id], digests[record.id] = report, digest
        if entry is not None:
            kept[record.id] = entry
            cache.adopt([entry.report])  # (put by a worker, maybe)
    cache.keep_reports({r.id: kept[r.id] for r in scored if r.id in kept})
    values.known(QUALITY, digests)
    return {r.id: reports[r.id] for r in scored}


def _json(report: QualityReport) -> bytes:
    return json.dumps(report.as_json_value(), ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _kept(cache: BuildCache, blob: str, record: Record, lookup: Lookup) -> QualityReport:
    """The report kept as ``blob``, read when a page asks for it; scored again, and kept
    again, when the blob is not what was kept (a damaged cache)."""
    report = _read(cache, blob)
    if report is None or report.record_id != record.id:
        report = score_record(record, lookup)
        cache.put(_json(report))  # (the same blob, as what it read is unchanged)
    return report


def _read(cache: BuildCache, blob: str) -> QualityReport | None:
    """The report kept as ``blob``; ``None`` when the blob is not what was kept (a damaged
    cache: the asset is scored again)."""
    try:
        content = cache.read(blob)
        if hashlib.sha256(content).hexdigest() != blob:
            cache.blob_path(blob).unlink()  # for the report scored next to be kept
            return None
        return QualityReport.from_json_value(json.loads(content))
    except (OSError, ValueError):
        return None
