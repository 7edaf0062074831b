"""Quality reports kept between builds (``site_generator.quality_memo``) are the reports scoring
the catalogue now would give: an asset is scored again exactly when something it read changed,
whether its own folder or a record it looked up (a creator's ORCID iD), and a damaged blob is
scored again, and kept again, rather than trusted."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ran_only_in_workers, run_in_workers

from catalogue.derive import quality
from catalogue.derive.quality import QualityReport, quality_reports
from catalogue.model.kinds import KINDS, RECORD_FILE, SETTINGS_FILE
from catalogue.pipeline import load_catalogue
from site_generator import quality_memo
from site_generator.build_cache import BuildCache
from site_generator.lookup_values import Values
from site_generator.record_units import catalogue_tables
from site_generator.tracing import QUALITY, Deferred, traced

REPOSITORY = Path(__file__).resolve().parent.parent
CREATOR = "researchers/alice-johnson"


def _copy_example(root: Path) -> None:
    for kind in KINDS.values():
        shutil.copytree(REPOSITORY / kind.folder, root / kind.folder)
    shutil.copy(REPOSITORY / SETTINGS_FILE, root / SETTINGS_FILE)


def _reports(root: Path, scored: list[str],
             unread: list[str] | None = None) -> tuple[dict[str, QualityReport],
                                                       dict[str, QualityReport]]:
    """The remembered reports (and the cache kept), and the reports scored from scratch;
    ``unread``: the ids of those the memo left to read until they were looked up."""
    unread = [] if unread is None else unread
    catalogue, _ = load_catalogue(root, check=False, keep_records=False)
    cache = BuildCache(root / ".omh-cache" / "build", "key", within=root)
    scored.clear()
    kept = quality_memo.remembered_reports(
        catalogue, cache, Values(catalogue_tables(catalogue), cache.digests))
    unread.clear()
    unread.extend(i for i, report in kept.items() if isinstance(report, Deferred))
    remembered = dict(traced(QUALITY, kept).items())  # as the pages look them up
    cache.save({})
    cache.close()
    counted = list(scored)
    fresh = quality_reports(catalogue, catalogue.records.values())
    scored[:] = counted
    return remembered, fresh


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the assets scored (not read back from the cache)."""
    calls: list[str] = []
    score = quality.score_record

    def counting(record, lookup):  # type: ignore[no-untyped-def]
        calls.append(record.id)
        return score(record, lookup)

    monkeypatch.setattr(quality_memo, "score_record", counting)
    return calls


def test_reports_are_scored_again_exactly_when_what_they_read_changed(
        tmp_path: Path, scored: list[str]) -> None:
    root = tmp_path / "catalogue"
    _copy_example(root)
    remembered, fresh = _reports(root, scored)
    assert remembered == fresh and len(scored) == len(fresh) > 10

    unread: list[str] = []
    remembered, fresh = _reports(root, scored, unread)
    assert remembered == fresh and scored == []  # nothing changed: every report read back,
    assert sorted(unread) == sorted(fresh)  # and only once it was looked up

    # A creator loses the ORCID iD the assets they created are scored on.
    created = sorted(record_id for record_id, report in fresh.items()
                     if any(c.id == "creator-identifiers" and c.passed for c in report.checks)
                     and CREATOR in (root / record_id / RECORD_FILE).read_text())
    assert created
    person = root / CREATOR / RECORD_FILE
    person.write_text(re.sub(r"(?m)^orcid_id:.*\n", "", person.read_text()))
    remembered, fresh = _reports(root, scored)
    assert remembered == fresh
    assert set(created) <= set(scored) < set(fresh)
    assert all(not next(c for c in fresh[i].checks if c.id == "creator-identifiers").passed
               for i in created)

    # An asset's own card changes.
    model = created[0]
    with open(root / model / "README.md", "a", encoding="utf-8") as card:
        card.write("\n## Limitations\n\nIt was trained on one region only.\n")
    remembered, fresh = _reports(root, scored)
    assert remembered == fresh and model in scored


def test_a_damaged_report_is_scored_again(tmp_path: Path, scored: list[str]) -> None:
    root = tmp_path / "catalogue"
    _copy_example(root)
    _reports(root, scored)
    cache = BuildCache(root / ".omh-cache" / "build", "key", within=root)
    record_id, kept = sorted(cache.reports.items())[0]
    cache.close()
    blob = cache.blob_path(kept.report)
    content = blob.read_text()
    damaged = ('["' + record_id + '", "model", [["not", "a", "result"]]]',
               content.replace('"pass"', '"fail"', 1))  # the right shape, not what was kept
    assert damaged[1] != content
    for text in damaged:
        blob.write_text(text)
        remembered, fresh = _reports(root, scored)
        assert remembered == fresh and scored == [record_id]
        assert blob.read_text() == content  # kept again, as it was
        remembered, fresh = _reports(root, scored)
        assert remembered == fresh and scored == []


def test_reports_scored_in_workers_are_those_scored_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scored in two forked workers, the reports, their blobs and the lookups kept with them
    are those of one process; every report was scored in a worker."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    where = tmp_path / "scored-in"
    run_in_workers(monkeypatch, quality_memo, "score_record", where)
    results = []
    for jobs in (1, 2):
        where.write_text("")
        catalogue, _ = load_catalogue(root, check=False, keep_records=False)
        cache = BuildCache(root / ".omh-cache" / f"build-{jobs}", "key", within=root)
        reports = quality_memo.remembered_reports(
            catalogue, cache, Values(catalogue_tables(catalogue), cache.digests), jobs)
        results.append((reports, dict(cache.reports)))
        cache.close()
    assert results[0] == results[1] and len(results[0][0]) > 10
    assert ran_only_in_workers(where)
