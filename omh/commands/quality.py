"""``omh quality``: the FAIR quality score of each asset, and every check behind it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from catalogue.derive.quality import FAIL, PASS, QualityReport, is_scored, quality_reports
from catalogue.load.store import RecordStore
from catalogue.model.ids import closest_id, normalise_record_id

MARKS = {PASS: "pass", FAIL: "FAIL", "n/a": "n/a "}
FACETS = ("Findable", "Accessible", "Interoperable", "Reusable")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "quality", parents=[parent],
        help="FAIR quality score of each model, dataset and experiment, with how to raise it",
        description="Score each asset from named checks grouped by FAIR principle (F1-F4, "
                    "A1-A2, I1-I3, R1-R1.3): 100 x the weights of the checks passed over the "
                    "weights of the checks that apply. Without ids, a table of every asset; "
                    "with ids, every check with what it found and how to fix it. Exit 0, or 1 "
                    "with --check when an asset shown is below quality.minimum_score; 2 for an "
                    "unknown id.")
    parser.add_argument("ids", nargs="*", metavar="ID",
                        help="models/<slug>, datasets/<slug> or experiments/<slug>, or their "
                             "folders (default: every asset)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when an asset shown scores below quality.minimum_score")


def _table(reports: list[QualityReport], minimum: int) -> str:
    rows = [("SCORE", *(f[0] for f in FACETS), "ASSET")]
    for report in reports:
        facets = report.facets()
        cells = [f"{facets[f][0]}/{facets[f][1]}" if f in facets else "-" for f in FACETS]
        flag = " (below minimum)" if minimum and report.score < minimum else ""
        rows.append((str(report.score), *cells, report.record_id + flag))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row[:-1], widths, strict=True))
             + "  " + row[-1] for row in rows]
    lines.append("")
    lines.append("F A I R: points earned / possible per facet (Findable, Accessible, "
                 "Interoperable, Reusable); omh quality ID shows every check")
    return "\n".join(lines)


def _details(report: QualityReport, minimum: int) -> str:
    verdict = ""
    if minimum:
        verdict = (f"; below the minimum of {minimum}" if report.score < minimum
                   else f"; meets the minimum of {minimum}")
    lines = [f"{report.record_id}: quality score {report.score}/100 ({report.earned} of "
             f"{report.possible} points{verdict})"]
    for group in report.principles():
        lines.append(f"  {group.principle} {group.facet}: {group.description} "
                     f"[{group.earned}/{group.possible}]")
        for check in group.checks:
            lines.append(f"    {MARKS[check.status]}  {check.id} (weight {check.weight}): "
                         f"{check.detail}")
            if check.fix:
                lines.append(f"          fix (+{report.gain(check)}): {check.fix}")
    not_applicable = [c for c in report.checks if not c.applies
                      and all(c not in g.checks for g in report.principles())]
    for check in not_applicable:
        lines.append(f"  {check.principle}: {MARKS[check.status]}  {check.id}: {check.detail}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    store = RecordStore(root)
    minimum = store.settings.quality.minimum_score
    ids = [normalise_record_id(value, store.root) for value in args.ids]
    for record_id in ids:
        record = store.get(record_id) if store.exists(record_id) else None
        if record is None:
            close = closest_id(record_id, store.paths)
            hint = f"; did you mean '{close}'?" if close else ""
            reason = "cannot be read (omh validate says why)" if store.exists(record_id) \
                else f"is not in {store.root}{hint}"
            print(f"omh quality: {record_id} {reason}", file=sys.stderr)
            return 2
        if not is_scored(record):
            print(f"omh quality: {record_id} is a {record.kind.name}; only models, datasets "
                  "and experiments have a quality score", file=sys.stderr)
            return 2
    records = [store.get(i) for i in ids] if ids else store.load_all()
    reports = list(quality_reports(store, [r for r in records if r is not None]).values())
    if args.format == "json":
        print(json.dumps({"minimum_score": minimum,
                          "assets": [r.as_dict() for r in reports]}, indent=2))
    elif ids:
        print("\n\n".join(_details(r, minimum) for r in reports))
    else:
        print(_table(reports, minimum) if reports else "no models, datasets or experiments")
    below = [r for r in reports if minimum and r.score < minimum]
    return 1 if args.check and below else 0
