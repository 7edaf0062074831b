"""``omh parity``: check each model's ONNX package and run it on its samples with onnxruntime.

For every model named (default: all): the artefacts are verified (size, sha256, inside the
folder), the ONNX file passes ``onnx.checker``, its external data stays in the package, its
signature agrees with the record, its class labels agree everywhere, and onnxruntime's outputs
on the samples match the reference outputs within the record's tolerance. Offline by default
(local files and the cache); ``--fetch`` downloads remote artefacts into the cache first.
``--write`` keeps the result as ``parity-report.json`` in the model's folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from catalogue.check.artefacts import check_record_artefacts
from catalogue.check.labels import check_labels
from catalogue.check.parity import (
    NO_EVIDENCE,
    REPORT_FILE,
    Outcome,
    evaluate_model,
    evidence_findings,
    read_report,
    write_report,
)
from catalogue.load.artefacts import Resolver
from catalogue.load.store import RecordStore
from catalogue.model.findings import (
    Finding,
    Location,
    Severity,
    error,
    has_errors,
    sort_findings,
)
from catalogue.model.ids import normalise_record_id
from catalogue.model.kinds import KINDS
from catalogue.model.pointers import ArtefactError
from omh.reporting import FORMATS, format_findings


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "parity", parents=[parent],
        help="run each model's ONNX artefact on its samples and compare with the reference "
             "outputs",
        description="Check ONNX packages: artefact checksums, onnx.checker, external data, the "
                    "signature against input_schema/output_schema, class labels, and "
                    "onnxruntime outputs against the shipped reference outputs within "
                    "parity.rtol/atol (default 1e-4). onnxruntime runs in a child process "
                    "within the limits of the parity section of catalogue.yaml. Exit 0 when "
                    "every checked model passes "
                    "or has no parity evidence, 1 when a check fails, 2 for usage errors.")
    parser.add_argument("models", nargs="*", metavar="MODEL",
                        help="models to check: models/<slug>, <slug> or the model's folder "
                             "(default: every model)")
    parser.add_argument("--fetch", action="store_true",
                        help="download remote artefacts into the cache (default: use only local "
                             "files and the cache)")
    parser.add_argument("--write", action="store_true",
                        help=f"write {REPORT_FILE} into each model's folder that was run")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text, json, or github (workflow commands)")


def model_ids(store: RecordStore, names: list[str]) -> tuple[list[str], list[str]]:
    """The record ids meant by ``names``, and the names that mean no model."""
    folder = KINDS["model"].folder
    if not names:
        return store.ids("model"), []
    found: list[str] = []
    unknown: list[str] = []
    for name in names:
        candidate = normalise_record_id(name, store.root)
        if not candidate.startswith(folder + "/"):
            candidate = f"{folder}/{candidate}"
        if store.exists(candidate):
            found.append(candidate)
        else:
            unknown.append(name)
    return list(dict.fromkeys(found)), unknown


def check_model(store: RecordStore, record_id: str, resolver: Resolver,
                write: bool) -> tuple[Outcome, list[Finding], str | None]:
    """(outcome, findings, path of the report written or None) for one model."""
    findings = list(store.findings(record_id))
    record = store.get(record_id)
    if record is None:
        return Outcome(record_id, NO_EVIDENCE, "the record cannot be read"), findings, None
    offline = Resolver(resolver.cache_dir, offline=True)
    findings.extend(check_record_artefacts(record, offline))
    outcome = evaluate_model(record, resolver, store.settings.parity)
    findings.extend(outcome.findings)
    findings.extend(check_labels(record, resolver))
    written = None
    if write and outcome.report is not None:
        try:
            if write_report(record, outcome.report):
                written = f"{record_id}/{REPORT_FILE}"
        except ArtefactError as exc:
            findings.append(error(exc.rule, exc.message, Location(f"{record_id}/{REPORT_FILE}"),
                                  record_id))
    elif outcome.status != NO_EVIDENCE or (record.folder / REPORT_FILE).is_file():
        committed, problem = read_report(record)
        findings.extend(evidence_findings(record, outcome, committed, problem))
    return outcome, findings, written


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    store = RecordStore(root)
    ids, unknown = model_ids(store, args.models)
    if unknown:
        known = ", ".join(store.ids("model")) or "none"
        print(f"omh parity: no model {', '.join(repr(u) for u in unknown)} in {root} "
              f"(models: {known})", file=sys.stderr)
        return 2
    resolver = Resolver.from_settings(store.root, store.settings.artefacts, offline=not args.fetch)
    outcomes: list[Outcome] = []
    findings: list[Finding] = []
    written: list[str] = []
    for record_id in ids:
        outcome, problems, path = check_model(store, record_id, resolver, args.write)
        outcomes.append(outcome)
        findings.extend(problems)
        if path:
            written.append(path)
    findings = sort_findings(findings)
    if args.format == "json":
        print(json.dumps({
            "models": [{"model": o.record_id, "status": o.status, "reason": o.reason,
                        "report": o.report} for o in outcomes],
            "written": written,
            "errors": sum(1 for f in findings if f.severity is Severity.ERROR),
            "findings": [f.as_dict() for f in findings],
        }, indent=2))
    else:
        stream = sys.stdout
        prefix = "::notice title=omh parity::" if args.format == "github" else ""
        for outcome in outcomes:
            print(f"{prefix}{outcome.record_id}: {outcome.status}"
                  + (f" ({outcome.reason})" if outcome.reason else ""), file=stream)
        for path in written:
            print(f"{prefix}wrote {path}", file=stream)
        print(format_findings(findings, root, args.format, len(ids)), file=stream)
    return 1 if has_errors(findings) else 0
