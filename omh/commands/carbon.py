"""``omh carbon``: the energy and carbon of every recorded run, or of the records named."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from catalogue.derive.carbon_footprint import UtilisationFootprint
from catalogue.derive.carbon_intensity import TABLE_NAME
from catalogue.derive.carbon_rollup import CarbonReport, Totals, carbon_report
from catalogue.link.catalogue import link
from catalogue.load.store import RecordStore
from catalogue.model.ids import closest_id, normalise_record_id

COLUMNS = ("EXPERIMENT", "RESOURCE", "HOURS", "KWH", "KG CO2E", "KG RANGE", "METHOD")
NUMERIC = {"HOURS", "KWH", "KG CO2E", "KG RANGE"}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "carbon", parents=[parent],
        help="energy (kWh) and emissions (kg CO2e) of every recorded run, and their totals",
        description="Compute the energy and carbon of each resource utilisation: measured where "
                    "the record has it, otherwise estimated from the resource's hardware (Green "
                    "Algorithms method), times the grid intensity of the resource's location. "
                    "Give record ids (experiments, models, resources, researchers, "
                    "organizations) to show only the runs behind them. Exit 0 on success, 1 "
                    "when catalogue.yaml is invalid, 2 for an unknown id.")
    parser.add_argument("ids", nargs="*", metavar="ID",
                        help="record ids such as experiments/<slug> or models/<slug> "
                             "(default: the whole catalogue)")
    parser.add_argument("--json", action="store_true",
                        help="print the JSON summary the site generator reads")


def _unknown(record_id: str, store: RecordStore) -> str:
    close = closest_id(record_id, store.paths)
    hint = f"; did you mean '{close}'?" if close else (
        "; expected an id such as experiments/<slug>, models/<slug> or resources/<slug>")
    return f"omh carbon: no record '{record_id}' in {store.root}{hint}"


def _short(record_id: str) -> str:
    return record_id.split("/", 1)[-1]


def _row(footprint: UtilisationFootprint) -> tuple[str, ...]:
    energy = footprint.energy
    basis = (str(energy.inputs.get("measurement_source", "")) if energy.method == "measured"
             else energy.basis.replace("-", " "))
    return (_short(footprint.experiment_id), _short(footprint.resource_id),
            f"{footprint.hours:.2f}", f"{footprint.kwh:.3f}", f"{footprint.kg:.3f}",
            f"{footprint.kg_low:.3f}-{footprint.kg_high:.3f}",
            f"{energy.method} ({basis})")


def _total_row(totals: Totals) -> tuple[str, ...]:
    share = totals.estimated_share
    method = "-" if share is None else f"{share:.0%} of energy estimated"
    runs = f"{totals.runs} run" + ("" if totals.runs == 1 else "s")
    return (f"TOTAL ({runs})", "", f"{totals.hours:.2f}", f"{totals.kwh:.3f}",
            f"{totals.kg:.3f}", f"{totals.kg_low:.3f}-{totals.kg_high:.3f}", method)


def format_table(report: CarbonReport, rows: Sequence[UtilisationFootprint]) -> str:
    body = [_row(row) for row in rows]
    totals = Totals.of(rows)
    table = [COLUMNS, *body, _total_row(totals)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]

    def render(line: Sequence[str]) -> str:
        cells = [cell.rjust(width) if COLUMNS[i] in NUMERIC else cell.ljust(width)
                 for i, (cell, width) in enumerate(zip(line, widths, strict=True))]
        return "  ".join(cells).rstrip()

    lines = [render(table[0]), render(["-" * w for w in widths])]
    lines += [render(line) for line in body]
    lines += [render(["-" * w for w in widths]), render(table[-1])]
    defaults = report.defaults
    lines += [
        "",
        f"impact: {report.band(totals.kg)}"
        + (f", above the {defaults.threshold_kg:g} kg CO2e threshold"
           if totals.kg > defaults.threshold_kg else ""),
        "measured = energy recorded for the run (PUE applied only if not already included); "
        "estimated = hours x power x PUE (Green Algorithms, Lannelongue et al. 2021).",
        f"grid intensity: {TABLE_NAME} (Our World in Data / Ember, CC BY 4.0; US EPA eGRID) "
        "unless the record gives one. Every input and default: omh carbon --json",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    store = RecordStore(root)
    if store.settings_findings:
        for finding in store.settings_findings:
            print(f"{finding.location}: {finding.severity}: {finding.message}", file=sys.stderr)
        print("omh carbon: catalogue.yaml is invalid, so its carbon settings cannot be trusted; "
              "fix it first (omh validate catalogue.yaml)", file=sys.stderr)
        return 1
    ids = [normalise_record_id(value, store.root) for value in args.ids]
    for record_id in ids:
        if not store.exists(record_id):
            print(_unknown(record_id, store), file=sys.stderr)
            return 2
    report = carbon_report(link(store))
    if args.json:
        print(json.dumps(report.to_json(ids or None), indent=2, ensure_ascii=False))
    else:
        rows = report.selection(ids) if ids else report.utilisations
        print(format_table(report, rows) if rows
              else "no recorded resource usage" + (" for " + ", ".join(ids) if ids else ""))
    for skipped in report.skipped:
        if not ids or skipped.experiment_id in ids:
            print(f"{skipped.location}: warning: left out of the figures: {skipped.message}",
                  file=sys.stderr)
    return 0
