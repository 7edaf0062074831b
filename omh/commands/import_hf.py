"""``omh import-hf``: turn a Hugging Face model or dataset card into a record and card."""

from __future__ import annotations

import argparse
from pathlib import Path

from catalogue.importers.huggingface import import_card
from catalogue.importers.result import ImportRefused
from catalogue.load.store import RecordStore
from omh.commands.import_support import (
    add_people_arguments,
    people_problems,
    refuse,
    write_and_check,
)


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
                    "<FILL ...> placeholders and listed for review, and the result is validated. "
                    "Exit 0 when the record validates, 1 when findings are left to fill, 2 when "
                    "the card cannot be read or the record exists.")
    parser.add_argument("source", metavar="PATH_OR_REPO",
                        help="README.md, a folder holding it, or a Hub repository id")
    parser.add_argument("--kind", choices=("model", "dataset"),
                        help="what the card describes (default: from the card's metadata)")
    parser.add_argument("--slug", help="the record's slug (default: from the repository or "
                                       "card name)")
    parser.add_argument("--repo-id", metavar="OWNER/NAME",
                        help="the Hub repository a local card belongs to (names the record and "
                             "its slug)")
    add_people_arguments(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="print the record instead of writing it")
    parser.add_argument("--force", action="store_true",
                        help="overwrite an existing record and card")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    store = RecordStore(root)
    problems = people_problems(store, args.created_by, args.organization)
    if problems:
        return refuse("import-hf", problems)
    try:
        imported = import_card(args.source, store, kind=args.kind, slug=args.slug,
                               created_by=args.created_by, organization=args.organization,
                               repo_id=args.repo_id)
    except ImportRefused as exc:
        return refuse("import-hf", [str(exc)])
    code = write_and_check("import-hf", root, [imported], force=args.force,
                           dry_run=args.dry_run)
    if not args.dry_run and code != 2:
        print(f"then: omh quality {imported.record_id}")
    return code
