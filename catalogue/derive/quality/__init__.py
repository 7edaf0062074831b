"""Quality (FAIR) score: a transparent score per asset from named checks grouped by FAIR
principle.

Each check in ``QUALITY_CHECKS`` has an id, the FAIR principle it serves (F1-F4, A1-A2, I1-I3,
R1-R1.3, as in the seed's "FAIR Evaluation"), a weight, the kinds it applies to, and a verdict
per record: pass, fail (saying what was found and how to fix it) or "does not apply". The score is
``100 x (weights of the checks passed) / (weights of the checks that apply)``, rounded down, so a
reader can recompute it from the breakdown the site shows.

``quality_report(record, catalogue)`` gives the report the site renders; ``omh quality`` prints
it; ``check_quality_minimum`` (one of ``omh validate``'s checks) refuses a new or changed asset
scoring below ``quality.minimum_score`` of ``catalogue.yaml`` (no minimum when it is not set, so
that a catalogue opts in; this repository's catalogue.yaml sets 60).

Which assets the minimum applies to (``quality.apply_to``):

* ``changed`` (the default): the assets a change touches. With paths (``omh validate PATH...``, as
  pre-commit runs it) the records those paths belong to; with ``--base REF`` (as CI runs it) the
  records new or changed since REF, record file, card or any file in the folder (both given: the
  named records that changed). Validating everything without ``--base`` applies it to none: the
  assets already published are not failed retroactively when the minimum is raised, and their
  scores stay visible on the site and in ``omh quality``.
* ``all``: every asset checked, whatever changed.

Deleted records are never held to the minimum (they keep their metadata, not their files), nor
are records with template placeholders left (the placeholder check refuses them already).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from catalogue.derive.quality.criteria import (
    CHECKS_BY_ID,
    CRITERIA,
    MODEL,
    QUALITY_CHECKS,
    QualityCheck,
)
from catalogue.derive.quality.lookup import Lookup
from catalogue.derive.quality.principles import PRINCIPLES
from catalogue.derive.quality.report import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    CheckResult,
    PrincipleScore,
    QualityReport,
    Verdict,
)
from catalogue.load.store import RecordStore
from catalogue.model.card_sections import DATASET_CARD_SECTIONS
from catalogue.model.findings import Location
from catalogue.model.kinds import CARD_FILE
from catalogue.model.records import Record

if TYPE_CHECKING:
    from catalogue.link.catalogue import Catalogue

RULE = "quality"


def is_scored(record: Record) -> bool:
    """Assets (models, datasets, experiments, workflows) get a score; people, organisations
    and resources do not."""
    return CRITERIA[record.kind.name] is not None


def _result(check: QualityCheck, record: Record, verdict: Verdict) -> CheckResult:
    if verdict.field and verdict.field in record.data:
        location = record.location((verdict.field,))
    elif check.id == "card" or (check.id == "access-conditions" and verdict.status == PASS):
        location = Location(f"{record.id}/{CARD_FILE}")
    else:
        location = record.location()
    fix = None if verdict.status != FAIL else (verdict.fix or check.fix)
    return CheckResult(check.id, check.principle, check.title, check.weight, verdict.status,
                       verdict.detail, fix, location)


def score_record(record: Record, lookup: Lookup) -> QualityReport:
    if not is_scored(record):
        raise ValueError(f"{record.id} is a {record.kind.name}; only assets have a quality "
                         "score")
    judged = CRITERIA[record.kind.name] or {}
    results = []
    for check in QUALITY_CHECKS:
        evaluate = judged.get(check.id)
        if evaluate is not None:
            results.append(_result(check, record, evaluate(record, lookup)))
    return QualityReport(record.id, record.kind.name, tuple(results))


def quality_report(record: Record, catalogue: Catalogue | RecordStore) -> QualityReport:
    """The score of ``record`` and its breakdown by FAIR principle. Raises ``ValueError`` for a
    record that is not an asset (see ``is_scored``)."""
    return score_record(record, Lookup.of(catalogue))


def quality_reports(catalogue: Catalogue | RecordStore,
                    records: Iterable[Record]) -> dict[str, QualityReport]:
    """Reports for many records, sharing one lookup (the site's way to score everything)."""
    lookup = Lookup.of(catalogue)
    wanted = [r for r in records if is_scored(r)]
    lookup.prepare(r.id for r in wanted)
    return {r.id: score_record(r, lookup) for r in wanted}


__all__ = [
    "CHECKS_BY_ID", "CRITERIA", "DATASET_CARD_SECTIONS", "FAIL", "MODEL",
    "NOT_APPLICABLE", "PASS", "PRINCIPLES", "QUALITY_CHECKS", "CheckResult", "Lookup",
    "PrincipleScore", "QualityCheck", "QualityReport", "Verdict", "is_scored", "quality_report",
    "quality_reports", "score_record",
]
