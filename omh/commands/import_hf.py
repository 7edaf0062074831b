"""``omh import-hf``: turn a Hugging Face model or dataset card into a record and card."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalogue.importers.huggingface import (
    HfImportError,
    import_card,
    record_text,
    review_notes,
    write_import,
)
from catalogue.load.store import RecordStore


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "import-hf", parents=[parent],
        help="make a record and card from a Hugging Face model or dataset card, for review",
        description="Read a Hugging Face card (a local README.md, a folder holding one, or a Hub "
                    "repository id such as owner/name or datasets/owner/name, which needs the "
                    "network) and write models/<slug>/ or datasets/<slug>/ with record.yaml and "
                    "the card: licence, tags, task, library, base model, datasets, model-index "
                    "and co2_eq_emissions are carried over; what the card cannot say is left as "
                    "<FILL ...> placeholders and listed for review. Exit 0 when written, 2 when "
                    "the card cannot be read or the record exists.")
    parser.add_argument("source", metavar="PATH_OR_REPO",
                        help="README.md, a folder holding it, or a Hub repository id")
    parser.add_argument("--kind", choices=("model", "dataset"),
                        help="what the card describes (default: from the card's metadata)")
    parser.add_argument("--slug", help="the record's slug (default: from the repository or "
                                       "card name)")
    parser.add_argument("--created-by", action="append", default=[], metavar="RESEARCHER",
                        help="researchers/<slug> of a creator (repeat for several)")
    parser.add_argument("--organization", metavar="ORG",
                        help="organizations/<slug> that publishes it")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the record instead of writing it")
    parser.add_argument("--force", action="store_true",
                        help="overwrite an existing record and card")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    store = RecordStore(root)
    problems = [f"--created-by {r}: no such researcher in {root}" for r in args.created_by
                if not store.exists(r)]
    if args.organization and not store.exists(args.organization):
        problems.append(f"--organization {args.organization}: no such organization in {root}")
    if problems:
        for problem in problems:
            print(f"omh import-hf: {problem} (ids look like researchers/<slug>; add one with "
                  "omh new)", file=sys.stderr)
        return 2
    try:
        imported = import_card(args.source, store, kind=args.kind, slug=args.slug,
                               created_by=args.created_by, organization=args.organization)
        if args.dry_run:
            print(record_text(imported))
            written = []
        else:
            written = write_import(root, imported, force=args.force)
    except HfImportError as exc:
        print(f"omh import-hf: {exc}", file=sys.stderr)
        return 2
    for path in written:
        try:
            shown: Path = path.relative_to(Path.cwd())
        except ValueError:
            shown = path
        print(f"created {shown}")
    notes = list(review_notes(imported))
    if notes:
        print("review:")
        print("\n".join(f"  - {note}" for note in notes))
    print(f"then: omh validate {imported.record_id}  and  omh quality {imported.record_id}")
    return 0
