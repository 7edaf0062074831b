"""``omh new KIND SLUG``: start a record (and its card) from a commented template."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalogue.importers.scaffold import ScaffoldError, kind_named, render, write
from catalogue.model.kinds import KINDS


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "new", parents=[parent],
        help="start a record (and card) from a commented template",
        description="Create <kind folder>/<slug>/record.yaml, and README.md for a kind with "
                    "a card (" + ", ".join(k.name for k in KINDS.values() if k.card)
                    + "), from a commented template. Replace every <FILL ...> placeholder "
                    "(omh validate lists those left) and the record validates. Exit 0 when "
                    "written, 2 for a bad kind or slug or an existing record.")
    parser.add_argument("kind", metavar="KIND", help=", ".join(KINDS))
    parser.add_argument("slug", metavar="SLUG",
                        help="lower-case letters, digits and hyphens, e.g. iris-classifier")
    parser.add_argument("--name", help="the record's name (default: from the slug)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite an existing record.yaml and card")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    try:
        kind = kind_named(args.kind)
        scaffold = render(kind, args.slug.strip().strip("/"), args.name)
        written = write(root, scaffold, force=args.force)
    except ScaffoldError as exc:
        print(f"omh new: {exc}", file=sys.stderr)
        return 2
    for path in written:
        try:
            shown = path.relative_to(Path.cwd())
        except ValueError:
            shown = path
        print(f"created {shown}")
    steps = ["replace every <FILL ...> placeholder"]
    if kind.scaffolding.next_step:
        steps.append(kind.scaffolding.next_step)
    steps.append(f"check it: omh validate {scaffold.record_id}")
    if kind.is_asset:
        steps.append(f"see its FAIR quality score: omh quality {scaffold.record_id}")
    print("next:\n" + "\n".join(f"  {n}. {step}" for n, step in enumerate(steps, start=1)))
    return 0
