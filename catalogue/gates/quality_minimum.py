"""The quality gate: a new or changed asset must reach ``quality.minimum_score`` (catalogue.yaml).

"New or changed" is what the command named, or with ``--base`` what differs from that git
revision; with ``apply_to: all`` every asset is held to the minimum.
"""

from __future__ import annotations

from collections.abc import Iterator

from catalogue.check.context import CheckContext
from catalogue.check.immutability import base_record_texts
from catalogue.check.placeholders import has_placeholders
from catalogue.derive.quality import (
    MODEL,
    RULE,
    Lookup,
    QualityReport,
    is_scored,
    score_record,
)
from catalogue.load.git import git_paths
from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding, Location, error
from catalogue.model.kinds import KINDS_BY_FOLDER
from catalogue.model.lifecycle import DELETED
from catalogue.model.records import Record
from catalogue.model.settings import QualitySettings


def changed_since(store: RecordStore, base: str) -> set[str]:
    """Ids of the records that are new or changed since the git revision ``base``: the record
    file, the card or any other file in the record's folder (committed or not). Raises
    ``GitError`` when git cannot answer."""
    texts = base_record_texts(store.root, base)
    changed: set[str] = set()
    for record_id, path in store.paths.items():
        try:
            current = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if texts.get(record_id) != current:
            changed.add(record_id)
    folders = sorted(KINDS_BY_FOLDER)
    paths = git_paths(store.root, "diff", "-z", "--name-only", "--no-renames", "--relative",
                      base, "--", *folders)
    paths += git_paths(store.root, "ls-files", "-z", "--others", "--exclude-standard", "--",
                       *folders)
    for changed_path in paths:
        parts = changed_path.split("/")
        if len(parts) >= 3 and parts[0] in KINDS_BY_FOLDER:
            record_id = f"{parts[0]}/{parts[1]}"
            if store.exists(record_id):
                changed.add(record_id)
    return changed


def held_to_minimum(context: CheckContext, settings: QualitySettings) -> list[Record]:
    """The records in scope that the minimum applies to (see the module's docstring)."""
    # A record with template placeholders left is refused by the placeholder check already.
    candidates = [r for r in context.records if is_scored(r) and r.status != DELETED
                  and not has_placeholders(r)]
    if settings.apply_to == "all":
        return candidates
    wanted: set[str] | None = None
    if context.named is not None:
        wanted = set(context.named)
    if context.base is not None:
        changed = changed_since(context.store, context.base)
        wanted = changed if wanted is None else wanted & changed
    if wanted is None:
        return []
    return [r for r in candidates if r.id in wanted]


def below_minimum_message(report: QualityReport, minimum: int, shown: int = 3) -> str:
    fixes = [f"{c.principle} {c.id} (+{report.gain(c)}): {c.fix}"
             for c in report.failed[:shown]]
    more = len(report.failed) - shown
    return (f"quality score {report.score}/100 is below the minimum of {minimum} for a new or "
            f"changed {report.kind} (quality.minimum_score in catalogue.yaml); raise it with: "
            + "; ".join(fixes) + (f"; and {more} more" if more > 0 else "")
            + f" (omh quality {report.record_id} lists every check)")


def check_quality_minimum(context: CheckContext) -> Iterator[Finding]:
    """A new or changed asset must reach ``quality.minimum_score``."""
    settings = context.store.settings.quality
    if settings.minimum_score <= 0:
        return
    records = held_to_minimum(context, settings)
    if not records:
        return
    lookup = Lookup(context.store)
    lookup.prepare(r.id for r in records if r.kind.name == MODEL)
    for record in records:
        report = score_record(record, lookup)
        if report.score < settings.minimum_score:
            yield error(RULE, below_minimum_message(report, settings.minimum_score),
                        Location(record.file), record.id)


