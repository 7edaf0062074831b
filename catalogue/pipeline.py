"""The pipeline, ``load -> link -> check -> derive -> gates``: the one module that knows the order
of the stages. Commands and the site generator go through here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from catalogue.check.context import CheckContext
from catalogue.check.placeholders import without_placeholder_echoes
from catalogue.check.registry import CHECKS
from catalogue.check.scope import Scope, select_scope
from catalogue.gates.registry import FOLDER_GATES, GATES
from catalogue.link.catalogue import Catalogue, link
from catalogue.load.collector import fewer_collections
from catalogue.load.forked import default_jobs
from catalogue.load.settings_file import load_settings
from catalogue.load.store import RecordStore
from catalogue.load.theme_file import THEME_FILE, load_theme
from catalogue.model.findings import Finding, sort_findings
from catalogue.model.kinds import SETTINGS_FILE
from catalogue.model.settings import Settings

__all__ = ["Catalogue", "Scope", "Settings", "load_catalogue", "load_settings", "load_theme",
           "validate"]


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
    store = RecordStore(root, keep_records=keep_records)
    findings: list[Finding] = []
    if check:
        findings, _ = validate(root, store=store, jobs=jobs)
    catalogue = link(store)
    store.save((jobs or default_jobs()) if save_meanwhile else 1)
    return catalogue, findings
