"""``omh validate``: check the catalogue, or the records named and what refers to them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalogue.load.git import GitError
from catalogue.model.findings import has_errors
from catalogue.pipeline import validate
from omh.reporting import FORMATS, format_findings


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "validate", parents=[parent],
        help="check records: schemas, references, lifecycle and every registered check",
        description="Check the whole catalogue, or only the records that the given files belong "
                    "to plus the records that refer to them. Exit 0 when clean, 1 when there "
                    "are errors, 2 for usage errors.")
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="record files or folders to check (default: everything)")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text (path:line:col: severity: message), json, or github "
                             "(workflow commands that annotate a pull request)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--base", metavar="REF",
                        help="also refuse in-place changes since this git revision (e.g. "
                             "origin/main): changed artefact checksums, sizes or locations of a "
                             "published version, and removed records")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    try:
        findings, scope = validate(root, args.paths or None, base=args.base)
    except GitError as exc:
        print(f"omh validate: --base {args.base}: {exc}", file=sys.stderr)
        return 2
    for path in args.paths:
        if not path.exists():  # a removed record, or a typo: say which, not nothing
            print(f"omh validate: note: {path} does not exist; checked the records that refer "
                  "to it", file=sys.stderr)
    output = format_findings(findings, root, args.format, len(scope.ids))
    print(output, file=sys.stdout)
    failed = has_errors(findings) or (args.strict and bool(findings))
    return 1 if failed else 0
