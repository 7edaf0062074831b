"""``omh import-croissant``: a Croissant JSON-LD description as a dataset record."""

from __future__ import annotations

import argparse
from pathlib import Path

from catalogue.importers.croissant_dataset import import_croissant
from catalogue.importers.result import ImportRefused
from catalogue.load.store import RecordStore
from omh.commands.import_support import (
    add_people_arguments,
    people_problems,
    refuse,
    write_and_check,
)

COMMAND = "import-croissant"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        COMMAND, parents=[parent],
        help="make a dataset record from a Croissant JSON-LD file, for review",
        description="Read a Croissant description (croissant.json, as Hugging Face, Kaggle and "
                    "OpenML publish them) with mlcroissant and write datasets/<slug>/record.yaml:"
                    " name, description, creators, licence, citation, files with sha256, "
                    "columns with types, splits and the Responsible AI fields. What it cannot "
                    "say is left as <FILL ...> placeholders and listed for review, and the "
                    "result is validated. Needs the croissant extra: pip install "
                    "\"open-models-hub[croissant]\". Exit 0 when the record validates, 1 when "
                    "findings are left to fill, 2 when refused.")
    parser.add_argument("source", type=Path, metavar="CROISSANT_JSON")
    parser.add_argument("--slug", help="the record's slug (default: from the dataset's name)")
    add_people_arguments(parser)
    parser.add_argument("--copy-files", action="store_true",
                        help="copy the data files found next to the Croissant file into the "
                             "record's folder")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the record instead of writing it")
    parser.add_argument("--force", action="store_true", help="overwrite an existing record")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    store = RecordStore(root)
    problems = people_problems(store, args.created_by, args.organization)
    if problems:
        return refuse(COMMAND, problems)
    try:
        imported = import_croissant(args.source, store, slug=args.slug,
                                    created_by=args.created_by, organization=args.organization,
                                    copy_files=args.copy_files)
    except ImportRefused as exc:
        return refuse(COMMAND, [str(exc)])
    return write_and_check(COMMAND, root, [imported], force=args.force, dry_run=args.dry_run)
