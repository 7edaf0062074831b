"""``omh import-codecarbon``: CodeCarbon's emissions.csv as measured energy in an experiment."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, timedelta, timezone
from pathlib import Path

from catalogue.importers.codecarbon_energy import import_emissions
from catalogue.importers.result import ImportRefused
from catalogue.load.store import RecordStore
from omh.commands.import_support import refuse, write_and_check

COMMAND = "import-codecarbon"


def _offset(text: str) -> timezone:
    found = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"{text}: expected an offset such as +02:00 or -05:00")
    sign = 1 if found.group(1) == "+" else -1
    minutes = int(found.group(2)) * 60 + int(found.group(3))
    return timezone(sign * timedelta(minutes=minutes))


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        COMMAND, parents=[parent],
        help="add CodeCarbon's measured energy (emissions.csv) to an experiment",
        description="Read CodeCarbon's emissions.csv (written by EmissionsTracker or "
                    "OfflineEmissionsTracker) and put the run's measured energy (CPU, GPU and "
                    "RAM, kWh), duration, country and region and tracked hardware into the "
                    "experiment's resource_utilizations for the given resource, so that the "
                    "carbon report says 'measured'. Needs the codecarbon extra: pip install "
                    "\"open-models-hub[codecarbon]\". Exit 0 when the record validates, 1 when "
                    "findings are left, 2 when refused.")
    parser.add_argument("csv", type=Path, metavar="EMISSIONS_CSV", help="CodeCarbon's output")
    parser.add_argument("--experiment", required=True, metavar="EXPERIMENT",
                        help="experiments/<slug> to add the measurement to")
    parser.add_argument("--resource", required=True, metavar="RESOURCE",
                        help="resources/<slug>: the machine the run was measured on")
    parser.add_argument("--run-id", metavar="UUID",
                        help="CodeCarbon's run_id of the row to import (default: the last row)")
    parser.add_argument("--utc-offset", type=_offset, default=UTC, metavar="+HH:MM",
                        help="the time zone CodeCarbon's timestamps were written in (default: "
                             "UTC)")
    parser.add_argument("--only", action="store_true",
                        help="the measured machine is the only one the run used: replace every "
                             "resource_utilizations entry")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the record instead of writing it")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    store = RecordStore(root)
    experiment = args.experiment.strip().strip("/")
    try:
        imported = import_emissions(args.csv, store, experiment, args.resource.strip().strip("/"),
                                    run_id=args.run_id, utc_offset=args.utc_offset,
                                    only=args.only)
    except ImportRefused as exc:
        return refuse(COMMAND, [str(exc)])
    return write_and_check(COMMAND, root, [imported], dry_run=args.dry_run)
