"""``omh check-artefacts``: does every artefact still have the bytes its record promises?

Local files are hashed; remote files are looked up in the cache, or, with ``--fetch``, downloaded
again (the cached copy is dropped first), so a link that broke or a file replaced in place under
the same URL is caught: the scheduled workflow runs it to watch for link rot.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from catalogue.load.artefacts import Resolver
from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding, Location, Severity, error, warning
from catalogue.model.ids import normalise_record_id
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import ArtefactError, ArtefactUnavailable, record_pointers
from catalogue.model.records import Record
from catalogue.model.yaml_source import format_path
from omh.reporting import format_findings

OK, PROBLEM, UNAVAILABLE, NOT_CHECKED = "verified", "failed", "unreachable", "not checked"
FORMATS = ("text", "json", "github", "markdown")


@dataclass(frozen=True)
class ArtefactCheck:
    record_id: str
    field: str
    target: str
    status: str
    message: str
    location: Location


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "check-artefacts", parents=[parent],
        help="verify that every artefact still has its recorded size and sha256",
        description="Hash every local artefact and every remote one in the cache; with --fetch, "
                    "download each remote artefact again and compare its size and sha256 with "
                    "the record (link rot, files replaced in place). Exit 0 when every file "
                    "checked matches, 1 when one is missing or changed (or, with --strict, "
                    "unreachable), 2 for an unknown id.")
    parser.add_argument("ids", nargs="*", metavar="ID",
                        help="records to check, e.g. models/<slug> (default: every record)")
    parser.add_argument("--fetch", action="store_true",
                        help="download remote artefacts again instead of trusting the cache")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text, json, github (workflow commands) or markdown (a report)")
    parser.add_argument("--strict", action="store_true",
                        help="also fail when a remote artefact cannot be reached")


def check_record(record: Record, resolver: Resolver, fetch: bool) -> list[ArtefactCheck]:
    if record.status == DELETED:
        return []
    checks = []
    for field_path, pointer, problem in record_pointers(record):
        name = format_path(field_path)
        where = record.location(field_path)
        if problem is not None or pointer is None:
            if problem is not None:
                checks.append(ArtefactCheck(record.id, name, "", PROBLEM, problem.message, where))
            continue
        if fetch and not pointer.is_local:
            resolver.cache_path(pointer.sha256).unlink(missing_ok=True)
        try:
            resolver.resolve(record.folder, pointer)
        except ArtefactUnavailable as exc:
            status = NOT_CHECKED if exc.rule == "artefact-not-cached" else UNAVAILABLE
            checks.append(ArtefactCheck(record.id, name, pointer.target, status, exc.message,
                                        where))
        except ArtefactError as exc:
            checks.append(ArtefactCheck(record.id, name, pointer.target, PROBLEM, exc.message,
                                        where))
        else:
            checks.append(ArtefactCheck(record.id, name, pointer.target, OK,
                                        f"{pointer.size_bytes} bytes, sha256 matches", where))
    return checks


def as_findings(checks: list[ArtefactCheck]) -> list[Finding]:
    findings = []
    for check in checks:
        message = f"field '{check.field}': {check.message}"
        if check.status == PROBLEM:
            findings.append(error("artefact", message, check.location, check.record_id,
                                  check.field))
        elif check.status == UNAVAILABLE:
            findings.append(warning("artefact-unreachable", message, check.location,
                                    check.record_id, check.field))
    return findings


def code_cell(text: str) -> str:
    """``text`` as a Markdown code span for a table cell, so that nothing in it is markup (no
    link, mention, image or HTML): the fence is longer than any run of backticks in the text
    (padded with a space, which CommonMark strips, when the text starts or ends with one), on
    one line, with ``|`` escaped as GitHub's tables require."""
    flat = " ".join(text.split()) or "-"
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}".replace("|", "\\|")


def markdown(checks: list[ArtefactCheck], fetched: bool) -> str:
    counts = {status: sum(1 for c in checks if c.status == status)
              for status in (OK, PROBLEM, UNAVAILABLE, NOT_CHECKED)}
    how = "downloaded again" if fetched else "local files and the cache"
    lines = [f"{len(checks)} artefact(s) checked ({how}): {counts[OK]} verified, "
             f"{counts[PROBLEM]} failed, {counts[UNAVAILABLE]} unreachable, "
             f"{counts[NOT_CHECKED]} not checked.", ""]
    problems = [c for c in checks if c.status != OK]
    if problems:
        lines += ["| Record | Artefact | Status | What was found |", "|---|---|---|---|"]
        lines += [f"| {code_cell(c.record_id)} | {code_cell(c.target or c.field)} | {c.status} | "
                  f"{code_cell(c.message)} |" for c in problems]
    else:
        lines.append("Every artefact has the size and sha256 its record states.")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    store = RecordStore(root)
    ids = [normalise_record_id(value, store.root) for value in args.ids]
    unknown = [i for i in ids if not store.exists(i)]
    if unknown:
        print(f"omh check-artefacts: no record {', '.join(repr(u) for u in unknown)} in "
              f"{store.root} (ids look like models/<slug>)", file=sys.stderr)
        return 2
    resolver = Resolver.from_settings(store.root, store.settings.artefacts, offline=not args.fetch)
    records = [r for r in (store.get(i) for i in ids or store.ids()) if r is not None]
    checks = [c for record in records for c in check_record(record, resolver, args.fetch)]
    findings = as_findings(checks)
    if args.format == "markdown":
        print(markdown(checks, args.fetch))
    elif args.format == "json":
        print(json.dumps({"artefacts": [
            {"record": c.record_id, "field": c.field, "target": c.target, "status": c.status,
             "message": c.message} for c in checks],
            "findings": [f.as_dict() for f in findings]}, indent=2))
    else:
        print(format_findings(findings, root, args.format, len(records)))
        verified = sum(1 for c in checks if c.status == OK)
        skipped = sum(1 for c in checks if c.status == NOT_CHECKED)
        print(f"{verified} of {len(checks)} artefact(s) verified"
              + (f"; {skipped} remote not in the cache (use --fetch)" if skipped else ""))
    failed = any(f.severity is Severity.ERROR for f in findings) or (
        args.strict and any(c.status == UNAVAILABLE for c in checks))
    return 1 if failed else 0
