"""The pipeline, ``load -> link -> check -> derive -> gates``: the one module that knows the order
of the stages. Commands and the site generator go through here."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from catalogue.check.context import CheckContext
from catalogue.check.placeholders import without_placeholder_echoes
from catalogue.check.registry import CHECKS
from catalogue.check.scope import Scope, select_scope
from catalogue.derive.carbon_rollup import CarbonReport, carbon_report
from catalogue.gates.registry import FOLDER_GATES, GATES
from catalogue.link.catalogue import Catalogue, link
from catalogue.load.collector import fewer_collections
from catalogue.load.file_digests import DigestNews
from catalogue.load.forked import (
    Forked,
    ForkedFailed,
    can_fork,
    default_jobs,
    run_forked,
)
from catalogue.load.settings_file import load_settings
from catalogue.load.store import RecordStore
from catalogue.load.theme_file import THEME_FILE, load_theme
from catalogue.model.card import Card
from catalogue.model.findings import Finding, sort_findings
from catalogue.model.kinds import SETTINGS_FILE
from catalogue.model.settings import Settings

__all__ = ["Catalogue", "Checking", "Scope", "Settings", "load_catalogue", "load_checking",
           "load_settings", "load_theme", "validate"]

UNKNOWN_AT_MOST = 200
"""The most records whose findings the last run did not keep (those changed since, and those
that point at a URL: ``findings_memo``) for a build's checks to run beside it (``beside``)."""


@fewer_collections()
def validate(root: Path, paths: Sequence[Path] | None = None,
             store: RecordStore | None = None,
             base: str | None = None, jobs: int = 0) -> tuple[list[Finding], Scope]:
    """Findings for the catalogue at ``root`` (or the records ``paths`` belong to, with their
    referrers); with ``base``, also what changed in place since that git revision (raises
    ``catalogue.load.git.GitError`` when git cannot answer). ``jobs``: processes the checks of
    many records may run in (0: one per core)."""
    owned = store is None
    store = store or RecordStore(root, keep_each=bool(paths), keep_records=not paths)
    scope = select_scope(store, paths)
    findings: list[Finding] = []
    touches_settings = not paths or any(Path(p).name == SETTINGS_FILE for p in paths)
    if touches_settings:
        findings.extend(store.settings_findings)
    if not paths or any(Path(p).name == THEME_FILE for p in paths):
        findings.extend(load_theme(store.root)[1])
    records = []
    discovery = store.discovery_findings
    jobs = jobs or default_jobs()
    in_scope = sorted(set(scope.ids) | (scope.named & set(discovery)))
    store.load_many(in_scope, jobs)
    for record_id in in_scope:
        findings.extend(store.findings(record_id))
        record = store.get(record_id)
        if record is not None:
            records.append(record)
    if scope.whole:
        for record_id, problems in discovery.items():
            if record_id not in store.paths:
                findings.extend(problems)
    context = CheckContext(store, records, None if scope.whole else frozenset(scope.named), base,
                           jobs, FOLDER_GATES)
    for check in (*CHECKS, *GATES):
        findings.extend(check(context))
    if base is not None:
        from catalogue.check.immutability import check_against_base  # git, only with a base

        findings.extend(check_against_base(store, base, None if scope.whole else scope.named))
    if owned:  # a store the caller gave is the caller's to save
        store.save()  # what this run read (records, cards), for the next
    return sort_findings(without_placeholder_echoes(findings)), scope


def load_catalogue(root: Path, check: bool = True, keep_records: bool = True,
                   jobs: int = 0, save_meanwhile: bool = False) -> tuple[Catalogue, list[Finding]]:
    """Load and link every record; with ``check``, also run ``omh validate``'s checks (in
    ``jobs`` processes, 0: one per core); ``keep_records``: take unchanged records from, and
    keep them in, the record cache; ``save_meanwhile``: keep them from a process of its own
    when there are many (``RecordStore.save``), which the caller waits for
    (``catalogue.store.settle()``)."""
    if check:
        catalogue, checking = load_checking(root, keep_records, jobs, save_meanwhile,
                                            meanwhile=False)
        return catalogue, checking.findings()
    store = RecordStore(root, keep_records=keep_records)
    catalogue = link(store)
    store.save((jobs or default_jobs()) if save_meanwhile else 1)
    return catalogue, []


@dataclass(frozen=True)
class _Checked:
    """What the checks made in a process of their own send back (``_check_beside``)."""

    findings: list[Finding]
    digests: DigestNews | None
    """What they learnt of the record folders' files (which the build digests too)."""
    cards: dict[str, Card]
    """The cards they parsed, by record id."""
    carbon: CarbonReport | None
    """The carbon figures, derived once the checks are done (what a build needs next, while
    it reads its cache); None when deriving them raised (the build derives them again, and
    says what that raises)."""


class Checking:
    """``omh validate``'s checks of a loaded catalogue (``load_checking``), made meanwhile."""

    def __init__(self, store: RecordStore, save_jobs: int,
                 running: Forked[_Checked] | None = None,
                 findings: list[Finding] | None = None) -> None:
        self._store = store
        self._save_jobs = save_jobs
        self._running = running
        self._findings = findings
        self._failed: ForkedFailed | None = None
        self._saved = False
        self._carbon: CarbonReport | None = None

    def findings(self) -> list[Finding]:
        """The findings, once the checks are done (raises ``ForkedFailed`` if their process
        failed). The records are then kept for the next run (``RecordStore.save``, in
        ``save_jobs`` processes), with what the checks learnt."""
        store = self._store
        if self._failed is not None:
            raise self._failed
        if self._running is not None:
            running, self._running = self._running, None
            try:
                checked = running.wait()
            except ForkedFailed as exc:
                self._failed = exc
                raise
            if checked.digests is not None and store.record_cache is not None:
                store.record_cache.digests.absorb(checked.digests)
            for record_id, card in checked.cards.items():
                record = store.get(record_id)
                if record is not None and "card" not in record.__dict__:
                    record.card = card
            self._findings = checked.findings
            self._carbon = checked.carbon
        if self._findings is None:
            raise RuntimeError("the checks were stopped before they ended")
        if not self._saved:
            self._saved = True
            store.save(self._save_jobs)
        return self._findings

    def carbon_report(self, catalogue: Catalogue) -> CarbonReport:
        """The carbon figures of ``catalogue`` (``carbon_report``): those the checks' process
        derived after its checks, or derived now."""
        self.findings()
        report, self._carbon = self._carbon, None
        return report if report is not None else carbon_report(catalogue)

    @property
    def meanwhile(self) -> bool:
        """Whether the checks run in a process of their own (and are not waited for yet)."""
        return self._running is not None

    def stop(self) -> None:
        """Stop checks still running (whoever asked for them no longer waits)."""
        running, self._running = self._running, None
        if running is not None:
            running.stop()


def load_checking(root: Path, keep_records: bool = True, jobs: int = 0,
                  save_meanwhile: bool = False,
                  meanwhile: bool = True) -> tuple[Catalogue, Checking]:
    """Load and link every record, and run ``omh validate``'s checks of them: with
    ``meanwhile``, in a process forked from this one when the last run kept the findings of
    nearly every record (a rebuild: ``beside``), while the caller goes on with what does not
    depend on them, and asks for them (``Checking.findings``) before it does anything that
    does. The other options are ``load_catalogue``'s."""
    jobs = jobs or default_jobs()
    save_jobs = jobs if save_meanwhile else 1
    store = RecordStore(root, keep_records=keep_records)
    if meanwhile and beside(store, jobs):
        catalogue = link(store)  # (every record loaded here: the checks' process starts with them)
        running = run_forked(functools.partial(_check_beside, root, catalogue, jobs))
        if running is not None:
            store.findings_memo = None  # the checks' process keeps it
            return catalogue, Checking(store, save_jobs, running)
    findings, _ = validate(root, store=store, jobs=jobs)
    return link(store), Checking(store, save_jobs, findings=findings)


def beside(store: RecordStore, jobs: int) -> bool:
    """Whether the checks of ``store``'s records are worth a process of their own: when the
    catalogue is large enough to fork for (``can_fork``) and the last run kept the findings of
    all but a few of its records (``findings_memo``), as in a rebuild, whose checks (and the
    carbon figures derived after them, ``_check_beside``) then take about as long as the start
    of its work on one core (reading the build cache). A first run's checks have workers of
    their own, and the cards they parse would have to travel back."""
    memo = store.findings_memo
    return can_fork(jobs, len(store.paths)) and memo is not None and \
        len(store.paths) - len(memo) <= UNKNOWN_AT_MOST


def _check_beside(root: Path, catalogue: Catalogue, jobs: int) -> _Checked:
    """The checks, in a process forked from the run that loaded ``catalogue``: they keep their
    findings for the next run themselves, derive the carbon figures, and send back what the
    run needs of the rest."""
    store = catalogue.store
    had_card = {record.id for record in store.loaded() if "card" in record.__dict__}
    findings, _ = validate(root, store=store, jobs=jobs)
    if store.findings_memo is not None:
        store.findings_memo.save()
    try:
        carbon: CarbonReport | None = carbon_report(catalogue)
    except Exception:  # (a catalogue with errors, built with --force: the build says it)
        carbon = None
    cards = {record.id: card for record in store.loaded() if record.id not in had_card
             and (card := record.__dict__.get("card")) is not None}
    kept = store.record_cache
    return _Checked(findings, kept.digests.news() if kept is not None else None, cards, carbon)
