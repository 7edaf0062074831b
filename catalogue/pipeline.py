"""Check: run every check over the whole catalogue, or over the records named and the records
that refer to them (what a commit can have broken), and collect the findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from catalogue.check.context import CheckContext
from catalogue.check.immutability import check_against_base
from catalogue.check.registry import CHECKS
from catalogue.importers.scaffold import without_placeholder_echoes
from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding, sort_findings
from catalogue.model.kinds import KINDS_BY_FOLDER, SETTINGS_FILE


@dataclass
class Scope:
    ids: list[str]
    named: set[str]
    whole: bool


def ids_for_paths(store: RecordStore, paths: Sequence[Path]) -> set[str]:
    """Map files and folders (as pre-commit passes them) to the record ids they belong to."""
    ids: set[str] = set()
    for path in paths:
        try:
            relative = path.resolve().relative_to(store.root)
        except ValueError:
            continue
        parts = relative.parts
        if not parts or parts[0] not in KINDS_BY_FOLDER:
            continue
        if len(parts) == 1:
            ids.update(store.ids(KINDS_BY_FOLDER[parts[0]].name))
        else:
            ids.add(f"{parts[0]}/{parts[1]}")
    return ids


def select_scope(store: RecordStore, paths: Sequence[Path] | None) -> Scope:
    if not paths:
        return Scope(sorted(store.paths), set(store.paths), True)
    named = ids_for_paths(store, paths)
    in_scope = {i for i in named if store.exists(i)} | store.referrers(named)
    return Scope(sorted(in_scope), named, False)


def validate(root: Path, paths: Sequence[Path] | None = None,
             store: RecordStore | None = None,
             base: str | None = None) -> tuple[list[Finding], Scope]:
    """Findings for the catalogue at ``root`` (or the records ``paths`` belong to, with their
    referrers); with ``base``, also what changed in place since that git revision (raises
    ``immutability.GitError`` when git cannot answer)."""
    store = store or RecordStore(root)
    scope = select_scope(store, paths)
    findings: list[Finding] = []
    touches_settings = not paths or any(Path(p).name == SETTINGS_FILE for p in paths)
    if touches_settings:
        findings.extend(store.settings_findings)
    records = []
    discovery = store.discovery_findings
    for record_id in sorted(set(scope.ids) | (scope.named & set(discovery))):
        findings.extend(store.findings(record_id))
        record = store.get(record_id)
        if record is not None:
            records.append(record)
    if scope.whole:
        for record_id, problems in discovery.items():
            if record_id not in store.paths:
                findings.extend(problems)
    context = CheckContext(store, records, None if scope.whole else frozenset(scope.named), base)
    for check in CHECKS:
        findings.extend(check(context))
    if base is not None:
        findings.extend(check_against_base(store, base, None if scope.whole else scope.named))
    return sort_findings(without_placeholder_echoes(findings)), scope
