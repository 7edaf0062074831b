"""``omh export``: write an asset's metadata files (JSON-LD, Croissant, DataCite, citations)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalogue.load.safe_write import write_text_no_follow
from catalogue.pipeline import load_catalogue
from catalogue.standards.exports import EXPORT_FORMATS, asset_exports
from catalogue.standards.jsonld import LinkedData


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "export", parents=[parent], help="write an asset's metadata files",
        description="Write the files the site offers beside an asset's page: metadata.jsonld, "
                    "croissant.json (datasets), dcat.jsonld (datasets and models), datacite.xml "
                    "(assets with a DOI), citation.bib, citation.ris and citation.csl.json. With "
                    "--output -, print one format to standard output.")
    parser.add_argument("record_id", metavar="ID", help="e.g. datasets/climate-change-detection")
    parser.add_argument("--format", choices=["all", *EXPORT_FORMATS], default="all")
    parser.add_argument("--output", default=".", metavar="DIR",
                        help="folder to write into (default: the current folder), or - ")


def run(args: argparse.Namespace) -> int:
    catalogue, _ = load_catalogue(args.root, check=False)
    record = catalogue.get(args.record_id.strip("/"))
    if record is None:
        print(f"omh export: no record '{args.record_id}' in {args.root} (ids look like "
              "models/<slug>)", file=sys.stderr)
        return 2
    files = asset_exports(record, LinkedData(catalogue))
    wanted = list(files) if args.format == "all" else [EXPORT_FORMATS[args.format]]
    missing = [name for name in wanted if name not in files]
    if missing:
        reason = (" (it has no DOI: DataCite registers DOIs only; reserve one and put it in "
                  "persistent_identifier)" if record.kind.is_asset
                  and missing[0] == EXPORT_FORMATS["datacite"] else "")
        print(f"omh export: {record.id} is a {record.kind.name}; it has no {missing[0]}"
              f"{reason}", file=sys.stderr)
        return 2
    if args.output == "-":
        if len(wanted) != 1:
            print("omh export: --output - needs one --format", file=sys.stderr)
            return 2
        sys.stdout.write(files[wanted[0]])
        return 0
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for name in wanted:
        write_text_no_follow(folder / name, files[name])
        print(folder / name)
    return 0
