"""Parity: run a model's ONNX artefact with onnxruntime on the contributor's sample inputs and
compare its outputs with the framework-native reference outputs shipped with them; keep the
result as evidence.

The samples (``catalogue.check.parity_samples``) come as ``.npz`` files or as ONNX test data
(``test_data_set_N/*.pb``), for inputs and outputs of every type onnxruntime runs: tensors of
any element type, sequences, maps, optionals. onnxruntime runs in a child process with the
wall-clock and memory limits of ``catalogue.yaml`` (``catalogue.check.onnx_runner``), on the CPU
provider with one thread (the same result on every machine). Outputs are compared by
``catalogue.check.parity_compare``: floats within the record's ``parity.rtol`` / ``parity.atol``
(1e-4 / 1e-4 by default, as in seed 001; no more than ``parity.max_rtol`` / ``max_atol`` of
``catalogue.yaml`` without a ``tolerance_reason``), everything else exactly. A model the runtime
cannot run (an operator or type it lacks) is reported as the runtime's limitation, with its
reason and version, not as a mismatch.

The evidence is ``parity-report.json`` in the model's folder, written by ``omh parity --write``
and committed with the package. It names the ONNX file, its external data and every sample file
by sha256, so ``omh validate`` can tell, offline, whether it still describes the files parity
depends on (and only those), and the site can show it as a badge and cite it from the JSON-LD
without running anything.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalogue.check.artefacts import pointer_finding
from catalogue.check.onnx_features import Problem
from catalogue.check.onnx_features import onnx_pointers as onnx_pointers
from catalogue.check.onnx_package import (
    Signature,
    TensorSpec,
    check_structure,
    compare_signature,
    read_signature,
    runnable_layout,
)
from catalogue.load.artefacts import Resolver, local_file, sha256_file
from catalogue.load.onnx_values import ValueType
from catalogue.load.safe_write import write_text_no_follow
from catalogue.model.findings import Finding, Location, error, warning
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import ArtefactError, ArtefactUnavailable, Pointer, usable_pointers
from catalogue.model.records import Record
from catalogue.model.settings import ParitySettings
from catalogue.model.yaml_source import FieldPath, format_path

if TYPE_CHECKING:  # the modules that run a model: imported when a model has ONNX to run
    from catalogue.check.onnx_runner import Failure
    from catalogue.check.parity_compare import OutputResult
    from catalogue.check.parity_samples import Case

DEFAULT_RTOL = 1e-4
DEFAULT_ATOL = 1e-4
REPORT_FILE = "parity-report.json"
REPORT_FORMAT = "omh-parity-report/1"
PASSED, FAILED, NO_EVIDENCE = "passed", "failed", "no parity evidence"
LIMITATION = "not runnable by onnxruntime"
FAILURE_RULES = {"limitation": "parity-runtime-limitation", "timeout": "parity-limit",
                 "memory": "parity-limit", "error": "parity-run"}


@dataclass
class Outcome:
    """What ``evaluate_model`` found for one model."""

    record_id: str
    status: str
    reason: str
    findings: list[Finding] = field(default_factory=list)
    report: dict[str, Any] | None = None


# -- entry points --------------------------------------------------------------------------


def _parity_section(record: Record) -> dict[str, Any]:
    parity = record.data.get("parity")
    return parity if isinstance(parity, dict) else {}


def tolerances(record: Record) -> tuple[float, float]:
    parity = _parity_section(record)

    def number(key: str, default: float) -> float:
        value = parity.get(key, default)
        return float(value) if isinstance(value, int | float) and not isinstance(
            value, bool) else default

    return number("rtol", DEFAULT_RTOL), number("atol", DEFAULT_ATOL)


def tolerance_findings(record: Record, limits: ParitySettings) -> Iterator[Finding]:
    """A tolerance looser than the catalogue's maximum needs a ``tolerance_reason``."""
    parity = _parity_section(record)
    reason = parity.get("tolerance_reason")
    if isinstance(reason, str) and reason.strip():
        return
    rtol, atol = tolerances(record)
    for key, value, maximum in (("rtol", rtol, limits.max_rtol), ("atol", atol, limits.max_atol)):
        if value > maximum:
            yield error("parity-tolerance", f"field 'parity.{key}': {value:g} is looser than the "
                        f"catalogue's maximum {maximum:g} (parity.max_{key} in catalogue.yaml); "
                        f"tighten it, or say why the model needs it in parity.tolerance_reason "
                        "(shown beside the evidence)", record.location(("parity", key)),
                        record.id, f"parity.{key}")


def evaluate_model(record: Record, resolver: Resolver,
                   limits: ParitySettings | None = None) -> Outcome:
    """Check every ONNX artefact of a model and run it on its samples."""
    limits = limits or ParitySettings()
    if record.status == DELETED:
        return Outcome(record.id, NO_EVIDENCE, "deleted record: no files")
    models = onnx_pointers(record)
    if not models:
        return Outcome(record.id, NO_EVIDENCE, "no ONNX artefact")
    tolerance = tolerances(record)
    findings: list[Finding] = list(tolerance_findings(record, limits))
    runs: list[dict[str, Any]] = []
    missing: list[str] = []
    for pointer in models:
        run = _evaluate_artefact(record, pointer, len(models) == 1, resolver, tolerance, limits,
                                 findings)
        if isinstance(run, str):
            missing.append(run)
        else:
            runs.append(run)
    limited = [r for r in runs if r["status"] == LIMITATION]
    if limited:
        status = LIMITATION
    elif any(f.severity == "error" for f in findings):
        status = FAILED
    elif runs and not missing:
        status = PASSED
    else:
        status = NO_EVIDENCE
    report = build_report(record, runs, status, tolerance) \
        if runs and status in (PASSED, FAILED) else None
    reason = summary(runs, missing, tolerance) if runs else "; ".join(missing)
    return Outcome(record.id, status, reason, findings, report)


def summary(runs: list[dict[str, Any]], missing: list[str], tolerance: tuple[float, float]
            ) -> str:
    rtol, atol = tolerance
    parts = []
    for run in runs:
        samples = run["samples"]
        head = f"{run['artefact']} (opset {run['opset']}): {run['status']}"
        if run["status"] == LIMITATION:
            parts.append(f"{head}: {run['runtime_failure']}")
            continue
        if not run["outputs"]:
            why = "; ".join(run["problems"][:2]) or "no output could be compared"
            parts.append(f"{head}: no output compared ({why})")
            continue
        numeric = [o["max_abs_error"] for o in run["outputs"]
                   if isinstance(o["max_abs_error"], float)]
        failed = [o["name"] for o in run["outputs"] if not o["passed"]]
        text = (f"{head} on {samples['count']} sample(s) in {len(samples['cases'])} case(s), "
                f"{len(run['outputs'])} output(s)")
        if failed:
            text += f", {len(failed)} differ ({', '.join(failed)})"
        if numeric:
            text += f", max abs error {max(numeric):.3g} (rtol={rtol:g}, atol={atol:g})"
        parts.append(text)
    return "; ".join(parts + missing)


# -- one ONNX artefact ---------------------------------------------------------------------


def _evaluate_artefact(record: Record, pointer: Pointer, only_model: bool, resolver: Resolver,
                       tolerance: tuple[float, float], limits: ParitySettings,
                       findings: list[Finding]) -> dict[str, Any] | str:
    """The run's report section, or why there is none (the reason, as text)."""
    from catalogue.check.parity_compare import describe_failure
    from catalogue.check.parity_samples import collect_cases, sample_count
    from catalogue.load.samples import Budget

    try:
        path = resolver.resolve(record.folder, pointer)
    except ArtefactUnavailable as exc:
        return exc.message
    except ArtefactError as exc:
        findings.append(pointer_finding(record, pointer.field, exc))
        return f"{pointer.name} cannot be checked: {exc.message}"
    problems: list[Problem] = []

    def remote_file(name: str) -> Path | None:
        match = next((p for p in usable_pointers(record) if p.name == name), None)
        return None if match is None else resolver.resolve(record.folder, match)

    failure: Failure | None = None
    outputs: list[OutputResult] = []
    try:
        with runnable_layout(path, pointer.name, record.folder if pointer.is_local else None,
                             remote_file) as layout:
            problems.extend(layout.problems)
            if layout.path is None:
                _add(record, pointer, problems, findings)
                return f"{pointer.name} cannot be run: " + "; ".join(p.message for p in problems)
            structure = check_structure(layout.path, pointer.name)
            problems.extend(structure)
            signature = read_signature(layout.proto)
            problems.extend(compare_signature(record.data, signature, pointer.name))
            budget = Budget(limits.max_sample_bytes)
            cases, unavailable = collect_cases(record, pointer, only_model, signature, resolver,
                                               budget, problems)
            external = [_external_entry(record, pointer, name, layout.path)
                        for name in layout.external_files]
            if cases and structure:
                problems.append(Problem("error", "parity-run", f"{pointer.name} was not run: "
                                        "onnxruntime is never started on a model that "
                                        "onnx.checker refuses"))
            elif cases:
                outputs, failure = run_and_compare(layout.path, signature, cases, tolerance,
                                                   limits, problems, pointer.name)
    except ArtefactUnavailable as exc:
        return exc.message
    _add(record, pointer, problems, findings)
    if failure is not None:
        findings.append(_failure_finding(record, pointer, failure))
    for output in outputs:
        if not output.passed:
            field_path, name = _where(record, pointer)
            message = f"{pointer.name}: {describe_failure(output, tolerance)}"
            findings.append(error("parity", message, record.location(field_path), record.id,
                                  name))
    if not cases:
        return "; ".join(unavailable) or (
            f"{pointer.name} has no samples: ship inputs and reference outputs as an .npz "
            "(role sample-data) or as test_data_set_0/input_0.pb, output_0.pb")
    errors = any(p.severity == "error" for p in problems) or failure is not None
    if failure is not None and failure.kind == "limitation":
        status = LIMITATION
    else:
        status = PASSED if not errors and outputs and all(o.passed for o in outputs) else FAILED
    section: dict[str, Any] = {
        "artefact": pointer.name, "sha256": pointer.sha256, "size_bytes": pointer.size_bytes,
        "external_data": external,
        "status": status, "opset": signature.opset, "opsets": signature.opsets,
        "ir_version": signature.ir_version,
        "inputs": [_spec_dict(s) for s in signature.inputs],
        "outputs_declared": [_spec_dict(s) for s in signature.outputs],
        "samples": {
            "count": sum(sample_count(c, signature) for c in cases),
            "cases": [{"name": c.name, "layout": c.layout,
                       "files": [f._asdict() for f in c.files]} for c in cases],
        },
        "outputs": [o.as_dict() for o in outputs],
        "problems": [p.message for p in problems if p.severity == "error"],
        "samples_not_checked": unavailable,
    }
    if failure is not None:
        section["runtime_failure"] = failure.message
        if failure.log:
            section["runtime_log"] = failure.log
    return section


def _external_entry(record: Record, model: Pointer, name: str, model_path: Path
                    ) -> dict[str, str]:
    declared = next((p for p in usable_pointers(record) if p.name == name), None)
    if declared is not None:
        return {"name": name, "sha256": declared.sha256}
    return {"name": name, "sha256": sha256_file(local_file(record.folder, name))}


def _spec_dict(spec: TensorSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": spec.name, "dtype": spec.dtype,
                             "shape": None if spec.shape is None else list(spec.shape)}
    if not spec.is_tensor:
        entry["type"] = spec.type.describe()
    return entry


def _where(record: Record, pointer: Pointer) -> tuple[FieldPath, str]:
    field_path: FieldPath = ("parity",) if "parity" in record.data else pointer.field
    return field_path, format_path(field_path)


def _add(record: Record, pointer: Pointer, problems: list[Problem],
         findings: list[Finding]) -> None:
    for problem in problems:
        path = problem.field if problem.field is not None else pointer.field
        make = error if problem.severity == "error" else warning
        findings.append(make(problem.rule, problem.message, record.location(path), record.id,
                             format_path(path)))


def _failure_finding(record: Record, pointer: Pointer, failure: Failure) -> Finding:
    if failure.kind == "limitation":
        message = (f"{pointer.name}: onnxruntime {_ort_version()} cannot run this model: "
                   f"{failure.message}. This is a limitation of the runtime, not a parity "
                   "failure: export the model with operators and types onnxruntime supports "
                   "(or a newer opset), or wait for a runtime that supports them")
    elif failure.kind in ("timeout", "memory"):
        message = f"{pointer.name}: refused: {failure.message}"
    else:
        message = f"{pointer.name}: onnxruntime failed: {failure.message}"
    return error(FAILURE_RULES[failure.kind], message, record.location(pointer.field), record.id,
                 format_path(pointer.field))


def _ort_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("onnxruntime")
    except PackageNotFoundError:
        return "(not installed)"


# -- running and comparing -----------------------------------------------------------------


def run_and_compare(path: Path, signature: Signature, cases: list[Case],
                    tolerance: tuple[float, float], limits: ParitySettings,
                    problems: list[Problem], model_name: str
                    ) -> tuple[list[OutputResult], Failure | None]:
    """Run the model on every case with both inputs and reference outputs in one bounded
    child process, and compare. The second value: why the runtime gave nothing, if so."""
    from catalogue.check.onnx_runner import run_model
    from catalogue.check.parity_compare import OutputResult, compare_value, comparison_of

    runnable: dict[str, Case] = {}
    for case in cases:
        if not case.outputs:
            problems.append(Problem("error", "parity-samples", f"{case.name} has inputs but no "
                                    "reference outputs to compare with"))
        elif not case.inputs and signature.inputs:
            problems.append(Problem("error", "parity-samples", f"{case.name} has reference "
                                    "outputs but no inputs"))
        elif _feeds_problems(case, signature, problems):
            runnable[case.name] = case
    if not runnable:
        return [], None
    run = run_model(path, {name: c.inputs for name, c in runnable.items()}, limits)
    if run.failure is not None:
        return [], run.failure
    types = {s.name: s.type for s in signature.outputs}
    results: dict[str, OutputResult] = {}
    case_failure: Failure | None = None
    for name, case in runnable.items():
        if name in run.case_failures:
            failure = run.case_failures[name]
            if failure.kind != "error":
                case_failure = case_failure or failure
            else:
                problems.append(Problem("error", "parity-run", f"onnxruntime cannot run "
                                        f"{model_name} on {name}: {failure.message}"))
            continue
        produced = run.outputs.get(name, {})
        for output, expected in case.outputs.items():
            value = types.get(output, ValueType("unknown"))
            result = results.setdefault(output, OutputResult(output, comparison_of(value)))
            compare_value(result, name, produced.get(output), expected, value, tolerance)
    ordered = [results[s.name] for s in signature.outputs if s.name in results]
    return ordered, case_failure


def _feeds_problems(case: Case, signature: Signature, problems: list[Problem]) -> bool:
    """Whether every input of the model has a value of its type in ``case`` (else say why)."""
    for spec in signature.inputs:
        if spec.name not in case.inputs:
            problems.append(Problem("error", "parity-samples", f"{case.name} has no value for "
                                    f"the model's input '{spec.name}'"))
            return False
        mismatch = type_mismatch(case.inputs[spec.name], spec.type)
        if mismatch:
            problems.append(Problem("error", "parity-samples", f"{case.name}: input "
                                    f"'{spec.name}' {mismatch}"))
            return False
    return True


def value_dtype(array: Any) -> str:
    kind = array.dtype.kind
    if kind in ("U", "S", "O"):
        return "string"
    return str(array.dtype)


def type_mismatch(value: Any, expected: ValueType) -> str | None:
    """How ``value`` does not fit ``expected`` (None when it fits)."""
    if expected.kind == "optional":
        return None if value is None else type_mismatch(value, expected.element or
                                                        ValueType("unknown"))
    if expected.kind == "sequence":
        if not isinstance(value, list):
            return f"is not a sequence but the model takes {expected.describe()}"
        for item in value:
            problem = type_mismatch(item, expected.element or ValueType("unknown"))
            if problem:
                return f"has an element that {problem}"
        return None
    if expected.kind == "map":
        if not isinstance(value, dict):
            return f"is not a map but the model takes {expected.describe()}"
        return None
    if expected.kind != "tensor" or not hasattr(value, "dtype"):
        return None if expected.kind != "tensor" else (
            f"is not a tensor but the model takes {expected.describe()}")
    got = value_dtype(value)
    if expected.dtype and got != expected.dtype:
        return (f"is {got} but the model takes {expected.dtype}; store the samples as "
                f"{expected.dtype}")
    return None


# -- the report ----------------------------------------------------------------------------


def runtime_versions() -> dict[str, Any]:
    """The versions that made the evidence (read from the installed packages: onnxruntime
    itself only ever runs in the child process)."""
    from importlib.metadata import version

    from catalogue.check.onnx_runner import PROVIDER, THREADS

    return {"onnxruntime": _ort_version(), "onnx": version("onnx"), "numpy": version("numpy"),
            "python": platform.python_version(), "execution_provider": PROVIDER,
            "intra_op_threads": THREADS, "inter_op_threads": THREADS}


def build_report(record: Record, runs: list[dict[str, Any]], status: str,
                 tolerance: tuple[float, float]) -> dict[str, Any]:
    from catalogue.check.parity_compare import RULE

    rtol, atol = tolerance
    return {
        "format": REPORT_FORMAT,
        "model": record.id,
        "version": record.data.get("version"),
        "status": status,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tolerance": {"rtol": rtol, "atol": atol, "rule": RULE},
        "runtime": runtime_versions(),
        "sample_count": sum(r["samples"]["count"] for r in runs),
        "runs": runs,
        "badge": {"label": "ONNX parity", "message": status,
                  "color": "brightgreen" if status == PASSED else "red"},
    }


def report_path(record: Record) -> Path:
    return record.folder / REPORT_FILE


def read_report(record: Record) -> tuple[dict[str, Any] | None, str | None]:
    """The committed report, or why it cannot be used (``(None, None)``: there is none)."""
    path = report_path(record)
    if not path.is_file():
        return None, None
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{REPORT_FILE} is not valid JSON ({exc})"
    if not isinstance(report, dict) or report.get("format") != REPORT_FORMAT or not isinstance(
            report.get("runs"), list):
        return None, f"{REPORT_FILE} is not a parity report ({REPORT_FORMAT})"
    return report, None


def render_report(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=False) + "\n"


def write_report(record: Record, report: dict[str, Any]) -> bool:
    """Write the report unless the committed one says the same (apart from its date), so that
    re-running parity does not churn the file. True when the file changed."""
    committed, _ = read_report(record)
    if committed is not None and {**committed, "date": None} == {**report, "date": None}:
        return False
    path = report_path(record)
    if path.is_symlink():
        raise ArtefactError("parity-evidence", f"{record.id}/{REPORT_FILE} is a symlink; it is "
                            "never written through: delete it and run omh parity --write again")
    write_text_no_follow(path, render_report(report), within=record.folder.parent.parent)
    return True


def stale_reasons(record: Record, report: dict[str, Any]) -> list[str]:
    """How the committed report no longer describes the package (empty: it still does)."""
    reasons: list[str] = []
    if report.get("model") != record.id:
        reasons.append(f"it is for {report.get('model')!r}, not {record.id}")
    rtol, atol = tolerances(record)
    stated = report.get("tolerance")
    stated = stated if isinstance(stated, dict) else {}
    if (stated.get("rtol"), stated.get("atol")) != (rtol, atol):
        reasons.append(f"it used rtol={stated.get('rtol')}, atol={stated.get('atol')} but the "
                       f"record says rtol={rtol:g}, atol={atol:g}")
    # The bytes are what the evidence is about: a file moved from path to url is the same.
    models = {p.sha256: p.name for p in onnx_pointers(record)}
    ran = {r.get("sha256"): r.get("artefact") for r in report["runs"] if isinstance(r, dict)}
    for digest, name in models.items():
        if digest not in ran:
            reasons.append(f"it does not cover {name} (sha256 {digest})")
    for ran_digest, artefact in ran.items():
        if ran_digest not in models:
            reasons.append(f"it was made for {artefact} with sha256 {ran_digest}, which the "
                           "record no longer lists")
    declared = {p.name: p.sha256 for p in usable_pointers(record)}
    for run in report["runs"]:
        if not isinstance(run, dict):
            continue
        files = [(f, "sample file") for c in run.get("samples", {}).get("cases", [])
                 for f in c.get("files", [])]
        files += [(f, "external data file") for f in run.get("external_data", [])]
        for sample, what in files:
            reason = _sample_changed(record, sample, declared, what)
            if reason:
                reasons.append(reason)
    return reasons


def _sample_changed(record: Record, sample: dict[str, Any], declared: dict[str, str],
                    what: str) -> str | None:
    name, digest = sample.get("name"), sample.get("sha256")
    if not isinstance(name, str):
        return f"it lists a {what} without a name"
    if name in declared:
        current = declared[name]
    else:
        try:
            current = sha256_file(local_file(record.folder, name))
        except (ArtefactError, OSError):
            return f"its {what} {name} is no longer in the package"
    if current != digest:
        return f"its {what} {name} has changed (sha256 {current}, report {digest})"
    return None


def evidence_findings(record: Record, outcome: Outcome | None,
                      committed: dict[str, Any] | None, problem: str | None) -> Iterator[Finding]:
    """Whether the committed report is evidence for the package as it is now."""
    report_location = Location(f"{record.id}/{REPORT_FILE}")
    models = onnx_pointers(record)
    anchor = record.location(models[0].field) if models else record.location()
    command = f"omh parity --write {record.id}"
    if problem is not None:
        yield error("parity-evidence", f"{problem}; regenerate it with {command}",
                    report_location, record.id)
        return
    if committed is None:
        if models and all(pointer.is_example for pointer in models) and outcome is None:
            return  # an illustrative record's file on an example domain: nothing to run
        if outcome is not None and outcome.status in (PASSED, FAILED):
            yield warning("parity-evidence", f"parity {outcome.status} but no {REPORT_FILE} is "
                          f"committed as evidence; write it with {command}", anchor, record.id,
                          "artefacts")
        else:
            reason = outcome.reason if outcome is not None else (
                "the ONNX artefact is remote and not in the cache")
            yield warning("parity-evidence", f"no parity evidence: {reason}; run omh parity "
                          f"--fetch --write {record.id}", anchor, record.id, "artefacts")
        return
    # Stale only when a file parity depends on (or the tolerance) changed: a failure with the
    # same files is reported by the run itself, not as a stale report.
    reasons = stale_reasons(record, committed)
    if reasons:
        yield error("parity-evidence", f"{REPORT_FILE} is stale: " + "; ".join(reasons)
                    + f"; regenerate it with {command}", report_location, record.id)
    elif committed.get("status") != PASSED and (outcome is None or outcome.status not in (
            PASSED, FAILED)):
        yield error("parity", f"{REPORT_FILE} records a failed parity check "
                    f"({committed.get('date')}); fix the package and run {command}",
                    report_location, record.id)


# -- what omh validate reports ---------------------------------------------------------------


def parity_findings(record: Record, models: list[Pointer], resolver: Resolver,
                    limits: ParitySettings) -> Iterator[Finding]:
    """Offline parity (``omh validate``, ``catalogue.check.parity_check``) of a model with the
    ONNX artefacts ``models``: when they are all in the repository, the model is run on its
    samples (in a bounded child process); when one is remote, the committed report is checked
    against the record."""
    committed, problem_text = read_report(record)
    if all(p.is_local for p in models):
        outcome: Outcome | None = evaluate_model(record, resolver, limits)
    else:
        outcome = None
        yield from tolerance_findings(record, limits)
    if outcome is not None:
        yield from outcome.findings
    yield from evidence_findings(record, outcome, committed, problem_text)
