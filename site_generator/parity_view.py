"""The parity badge and its evidence, read from the committed ``parity-report.json``.

This is the one place the site asks ``catalogue.check.parity`` about a model; nothing here runs a
model (the build stays fast and offline): the report is the evidence, and whether it still
describes the files the record points to is decided by ``catalogue.check.parity.stale_reasons``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from catalogue.check.parity import REPORT_FILE, onnx_pointers, read_report, stale_reasons
from catalogue.check.portability import safetensors_files
from catalogue.load.artefacts import Resolver
from catalogue.load.onnx_values import described_type
from catalogue.load.safetensors_header import TensorEntry
from catalogue.model.records import Record
from catalogue.model.settings import Settings

PASSED, FAILED, STALE, INVALID, NO_EVIDENCE, NOT_APPLICABLE = (
    "passed", "failed", "stale", "invalid", "no-evidence", "not-applicable")
MAX_TENSORS = 200
"""A safetensors file's tensors listed on the page; the rest are counted."""
BADGE_TEXT = {
    PASSED: "ONNX parity: passed", FAILED: "ONNX parity: failed",
    STALE: "ONNX parity: stale evidence", INVALID: "ONNX parity: unreadable evidence",
    NO_EVIDENCE: "ONNX parity: no evidence", NOT_APPLICABLE: "No ONNX artefact",
}


class OutputCheck(NamedTuple):
    name: str
    comparison: str
    passed: bool
    values: object
    mismatched: object
    max_abs_error: object
    max_rel_error: object


class ParityRun(NamedTuple):
    artefact: str
    status: str
    opset: object
    outputs: tuple[OutputCheck, ...]
    problems: tuple[str, ...]
    runtime_failure: str | None = None


class ParityView(NamedTuple):
    status: str
    badge: str
    summary: str
    report_file: str | None
    """The evidence file in the record's folder, published beside the page."""
    date: str | None = None
    rule: str | None = None
    tolerance: tuple[object, object] | None = None
    runtime: tuple[tuple[str, str], ...] = ()
    sample_count: object = None
    runs: tuple[ParityRun, ...] = ()
    reasons: tuple[str, ...] = ()
    tolerance_reason: str | None = None
    """Why the record asks for a tolerance looser than the catalogue's maximum."""


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _runs(report: dict[str, Any]) -> tuple[ParityRun, ...]:
    runs = []
    for run in report.get("runs", []):
        run = _mapping(run)
        outputs = tuple(
            OutputCheck(str(o.get("name", "")), str(o.get("comparison", "")),
                        o.get("passed") is True, o.get("values"), o.get("mismatched"),
                        o.get("max_abs_error"), o.get("max_rel_error"))
            for o in map(_mapping, run.get("outputs", []) if isinstance(
                run.get("outputs"), list) else []))
        problems = tuple(str(p) for p in run.get("problems", []) if isinstance(p, str | dict)) \
            if isinstance(run.get("problems"), list) else ()
        failure = run.get("runtime_failure")
        runs.append(ParityRun(str(run.get("artefact", "")), str(run.get("status", "")),
                              run.get("opset"), outputs, problems,
                              str(failure) if failure else None))
    return tuple(runs)


def parity_for(record: Record) -> ParityView:
    """The model's parity status, from its committed report (never by running the model)."""
    has_onnx = bool(onnx_pointers(record))
    report, problem = read_report(record)
    if problem is not None:
        return ParityView(INVALID, BADGE_TEXT[INVALID], problem, None)
    if report is None:
        if not has_onnx:
            return ParityView(NOT_APPLICABLE, BADGE_TEXT[NOT_APPLICABLE],
                              "The package has no ONNX artefact to compare.", None)
        if all(pointer.is_example for pointer in onnx_pointers(record)):
            return ParityView(NO_EVIDENCE, "ONNX parity: not checked",
                              "Not checked: this illustrative record's ONNX file is not shipped "
                              "(its address is on a domain reserved for examples), so there is "
                              "nothing to run.", None)
        return ParityView(NO_EVIDENCE, BADGE_TEXT[NO_EVIDENCE],
                          f"No {REPORT_FILE} is committed with the package: the ONNX export "
                          "has not been shown to match the framework's outputs.", None)
    reasons = tuple(stale_reasons(record, report))
    stated = str(report.get("status", ""))
    status = STALE if reasons else (PASSED if stated == PASSED else FAILED)
    tolerance = _mapping(report.get("tolerance"))
    runtime = tuple((str(k), str(v)) for k, v in _mapping(report.get("runtime")).items())
    summary = {
        PASSED: "onnxruntime reproduces the framework's reference outputs on the samples "
                "shipped with the package, within the tolerance below.",
        FAILED: "onnxruntime does not reproduce the framework's reference outputs: see the "
                "report.",
        STALE: "The committed report no longer describes the files of this package.",
    }[status]
    parity = record.data.get("parity")
    reason = parity.get("tolerance_reason") if isinstance(parity, dict) else None
    return ParityView(
        status, BADGE_TEXT[status], summary, REPORT_FILE,
        tolerance_reason=reason if isinstance(reason, str) else None,
        date=str(report["date"]) if report.get("date") else None,
        rule=str(tolerance["rule"]) if tolerance.get("rule") else None,
        tolerance=(tolerance.get("rtol"), tolerance.get("atol")),
        runtime=runtime, sample_count=report.get("sample_count"), runs=_runs(report),
        reasons=reasons)


# -- inputs and outputs, weights -------------------------------------------------------------


class FeatureRow(NamedTuple):
    position: int
    name: object
    unit: object
    value_range: object
    description: object


class IORow(NamedTuple):
    """One input or output as the page shows it."""

    name: object
    type: str
    shape: object
    unit: object
    value_range: object
    description: object
    features: tuple[FeatureRow, ...]


def io_rows(record: Record, key: str) -> tuple[IORow, ...]:
    """The rows of ``input_schema`` or ``output_schema``, with each value's type in words."""
    rows = []
    for entry in record.mappings(key):
        described = described_type(entry)
        kind = entry.get("type", "tensor")
        type_text = str(entry.get("dtype")) if kind == "tensor" else (
            described.describe() if described is not None else str(kind))
        features = tuple(
            FeatureRow(i, f.get("name"), f.get("unit"), f.get("value_range"), f.get("description"))
            for i, f in enumerate(entry.get("features") or []) if isinstance(f, dict))
        rows.append(IORow(entry.get("name"), type_text, entry.get("shape"), entry.get("unit"),
                          entry.get("value_range"), entry.get("description"), features))
    return tuple(rows)


class WeightsFile(NamedTuple):
    name: str
    problem: str | None
    parameters: int
    tensors: tuple[TensorEntry, ...]
    more: int
    metadata: tuple[tuple[str, str], ...]


def weights_files(record: Record, root: Path, settings: Settings) -> tuple[WeightsFile, ...]:
    """The safetensors files of the model whose bytes are here: their tensors and metadata,
    from the header alone."""
    resolver = Resolver.from_settings(root, settings.artefacts, offline=True)
    files = []
    for file in safetensors_files(record, resolver):
        header = file.header
        if header is None:
            files.append(WeightsFile(file.pointer.name, file.problem, 0, (), 0, ()))
            continue
        files.append(WeightsFile(file.pointer.name, None, header.parameters,
                                 header.tensors[:MAX_TENSORS],
                                 max(0, len(header.tensors) - MAX_TENSORS),
                                 tuple(sorted(header.metadata.items()))))
    return tuple(files)
