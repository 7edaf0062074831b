"""What the ``omh import-*`` commands share: checking the people named on the command line,
writing what an importer made, listing what a reviewer must look at, and running
``omh validate`` on the result so that nothing is left behind that fails it unsaid.

Exit status: 0 when every record written validates, 1 when it was written but findings are
left (they are printed: what is left to fill), 2 when the input was refused (nothing written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from catalogue.importers.result import Imported, ImportRefused, record_text, write_import
from catalogue.load.safe_write import SymlinkRefused
from catalogue.load.store import RecordStore
from catalogue.model.findings import Severity
from catalogue.pipeline import validate
from omh.reporting import format_findings


def add_people_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--created-by", action="append", default=[], metavar="RESEARCHER",
                        help="researchers/<slug> of a creator (repeat for several)")
    parser.add_argument("--organization", metavar="ORG",
                        help="organizations/<slug> responsible for it")


def people_problems(store: RecordStore, created_by: Sequence[str],
                    organization: str | None) -> list[str]:
    problems = [f"--created-by {r}: no such researcher in {store.root}" for r in created_by
                if not r.startswith("researchers/") or not store.exists(r)]
    if organization and (not organization.startswith("organizations/")
                         or not store.exists(organization)):
        problems.append(f"--organization {organization}: no such organization in {store.root}")
    return [f"{p} (ids look like researchers/<slug>; add one with omh new)" for p in problems]


def refuse(command: str, problems: Sequence[str]) -> int:
    for problem in problems:
        print(f"omh {command}: {problem}", file=sys.stderr)
    return 2


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def write_and_check(command: str, root: Path, items: Sequence[Imported], *, force: bool = False,
                    dry_run: bool = False) -> int:
    """Write every imported record, print the review notes, validate what was written."""
    if dry_run:
        for item in items:
            print(record_text(item))
            _print_notes(item)
        return 0
    written: list[Imported] = []
    for item in items:
        try:
            paths = write_import(root, item, force=force)
        except (ImportRefused, SymlinkRefused) as exc:
            code = refuse(command, [str(exc)])
            return code if not written else 1
        for path in paths:
            print(f"{'updated' if item.update else 'created'} {_shown(path)}")
        _print_notes(item)
        written.append(item)
    return _validate_written(root, written)


def _print_notes(item: Imported) -> None:
    if item.notes:
        print(f"review {item.record_id}:")
        print("\n".join(f"  - {note}" for note in item.notes))


def _validate_written(root: Path, items: Sequence[Imported]) -> int:
    folders = [root / item.record_id for item in items]
    findings, scope = validate(root, folders)
    ids = {item.record_id for item in items}
    own = [f for f in findings if f.record_id in ids or any(
        str(f.location.path).startswith(record_id + "/") for record_id in ids)]
    errors = [f for f in own if f.severity is Severity.ERROR]
    if not own:
        print(f"omh validate: {', '.join(sorted(ids))}: no findings")
        return 0
    if errors:
        print(f"left to fill before the pull request ({len(errors)} error(s)); fix these, then "
              f"run omh validate {' '.join(sorted(ids))}:")
    else:
        print("omh validate passes, with warnings to look at:")
    print(format_findings(own, root, "text", len(scope.ids)))
    return 1 if errors else 0
