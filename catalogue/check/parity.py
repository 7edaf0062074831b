"""Parity: run a model's ONNX artefact with onnxruntime on the contributor's sample inputs and
compare its outputs with the framework-native reference outputs shipped with them; keep the
result as evidence.

Samples, found among the record's artefacts (and, for the ONNX Model Zoo layout, in folders
next to the model), come in two layouts:

* NumPy ``.npz`` (role ``sample-data`` or ``reference-output``): arrays named after the model's
  inputs and outputs. One file may hold both; or one file holds the inputs and one the outputs.
  Loaded with ``allow_pickle=False``: pickled object arrays are refused, never loaded.
* ONNX test data: ``test_data_set_N/input_K.pb`` and ``output_K.pb``, each a serialised
  TensorProto, matched by tensor name or, when the name is empty, by position K.

onnxruntime runs on the CPU provider with one thread (the same result on every machine; no
machine-dependent parallel reductions). An output passes when every value satisfies
``|onnxruntime - reference| <= atol + rtol * |reference|`` (NaN matches NaN), with the record's
``parity.rtol`` / ``parity.atol`` or 1e-4 / 1e-4, as in seed 001; integer, boolean and string
outputs must be equal.

The evidence is ``parity-report.json`` in the model's folder, written by ``omh parity --write``
and committed with the package. It names the ONNX file and every sample file by sha256, so
``omh validate`` can tell, offline, whether it still describes the files the record points to,
and the site can show it as a badge and cite it from the JSON-LD without running anything.
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from catalogue.check.artefacts import pointer_finding
from catalogue.check.context import CheckContext
from catalogue.check.onnx_package import (
    Problem,
    Signature,
    TensorSpec,
    check_structure,
    compare_signature,
    read_signature,
    runnable_layout,
)
from catalogue.load.artefacts import Resolver, local_file, sha256_file
from catalogue.model.findings import Finding, Location, error, warning
from catalogue.model.pointers import ArtefactError, ArtefactUnavailable, Pointer, usable_pointers
from catalogue.model.records import Record
from catalogue.model.yaml_source import FieldPath, format_path

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[Any]

DEFAULT_RTOL = 1e-4
DEFAULT_ATOL = 1e-4
REPORT_FILE = "parity-report.json"
REPORT_FORMAT = "omh-parity-report/1"
THREADS = 1
PROVIDER = "CPUExecutionProvider"
SAMPLE_ROLES = frozenset({"sample-data", "reference-output"})
TEST_DATA = re.compile(r"^(?:(?P<dir>.+)/)?(?P<set>test_data_set_\d+)/(?P<io>input|output)_"
                       r"(?P<k>\d+)\.pb$")
PASSED, FAILED, NO_EVIDENCE = "passed", "failed", "no parity evidence"


# -- what a run produces -------------------------------------------------------------------


class SampleFile(NamedTuple):
    name: str
    sha256: str
    size_bytes: int


@dataclass
class Case:
    """One run of the model: inputs and expected outputs by tensor name."""

    name: str
    layout: str
    inputs: dict[str, Array] = field(default_factory=dict)
    outputs: dict[str, Array] = field(default_factory=dict)
    files: list[SampleFile] = field(default_factory=list)


@dataclass
class OutputResult:
    """One output compared over every case."""

    name: str
    comparison: str
    values: int = 0
    mismatched: int = 0
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    worst_excess: float = float("-inf")
    worst: dict[str, Any] | None = None
    shape_problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.mismatched == 0 and not self.shape_problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "comparison": self.comparison, "passed": self.passed,
            "values": self.values, "mismatched": self.mismatched,
            "max_abs_error": _json_number(self.max_abs_error),
            "max_rel_error": _json_number(self.max_rel_error),
            "worst": self.worst, "problems": self.shape_problems,
        }


@dataclass
class Outcome:
    """What ``evaluate_model`` found for one model."""

    record_id: str
    status: str
    reason: str
    findings: list[Finding] = field(default_factory=list)
    report: dict[str, Any] | None = None


# -- entry points --------------------------------------------------------------------------


def onnx_pointers(record: Record) -> list[Pointer]:
    return [p for p in usable_pointers(record) if p.role == "onnx" or p.suffix == ".onnx"]


def tolerances(record: Record) -> tuple[float, float]:
    parity = record.data.get("parity")
    parity = parity if isinstance(parity, dict) else {}

    def number(key: str, default: float) -> float:
        value = parity.get(key, default)
        return float(value) if isinstance(value, int | float) and not isinstance(
            value, bool) else default

    return number("rtol", DEFAULT_RTOL), number("atol", DEFAULT_ATOL)


def evaluate_model(record: Record, resolver: Resolver) -> Outcome:
    """Check every ONNX artefact of a model and run it on its samples."""
    if record.status == "deleted":
        return Outcome(record.id, NO_EVIDENCE, "deleted record: no files")
    models = onnx_pointers(record)
    if not models:
        return Outcome(record.id, NO_EVIDENCE, "no ONNX artefact")
    rtol, atol = tolerances(record)
    findings: list[Finding] = []
    runs: list[dict[str, Any]] = []
    missing: list[str] = []
    for pointer in models:
        run = _evaluate_artefact(record, pointer, len(models) == 1, resolver, (rtol, atol),
                                 findings)
        if isinstance(run, str):
            missing.append(run)
        else:
            runs.append(run)
    if any(f.severity == "error" for f in findings):
        status = FAILED
    elif runs and not missing:
        status = PASSED
    else:
        status = NO_EVIDENCE
    report = build_report(record, runs, status, (rtol, atol)) if runs and status != NO_EVIDENCE \
        else None
    reason = _summary(runs, missing, rtol, atol) if runs else "; ".join(missing)
    return Outcome(record.id, status, reason, findings, report)


def _summary(runs: list[dict[str, Any]], missing: list[str], rtol: float, atol: float) -> str:
    parts = []
    for run in runs:
        samples = run["samples"]
        worst = max((o["max_abs_error"] for o in run["outputs"]
                     if isinstance(o["max_abs_error"], float)), default=0.0)
        parts.append(f"{run['artefact']} (opset {run['opset']}): {run['status']} on "
                     f"{samples['count']} sample(s) in {len(samples['cases'])} case(s), "
                     f"{len(run['outputs'])} output(s), max abs error {worst:.3g} "
                     f"(rtol={rtol:g}, atol={atol:g})")
    return "; ".join(parts + missing)


# -- one ONNX artefact ---------------------------------------------------------------------


def _evaluate_artefact(record: Record, pointer: Pointer, only_model: bool, resolver: Resolver,
                       tolerance: tuple[float, float],
                       findings: list[Finding]) -> dict[str, Any] | str:
    """The run's report section, or why there is none (the reason, as text)."""
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

    try:
        with runnable_layout(path, pointer.name, record.folder if pointer.is_local else None,
                             remote_file) as layout:
            problems.extend(layout.problems)
            if layout.path is None:
                _add(record, pointer, problems, findings)
                return f"{pointer.name} cannot be run: " + "; ".join(p.message for p in problems)
            problems.extend(check_structure(layout.path, pointer.name))
            signature = read_signature(layout.proto)
            problems.extend(compare_signature(record.data, signature, pointer.name))
            cases, unavailable = collect_cases(record, pointer, only_model, signature, resolver,
                                               problems)
            outputs: list[OutputResult] = []
            if cases:
                outputs = run_and_compare(layout.path, signature, cases, tolerance, problems,
                                          pointer.name)
    except ArtefactUnavailable as exc:
        return exc.message
    _add(record, pointer, problems, findings)
    _add_output_failures(record, pointer, outputs, tolerance, findings)
    if not cases:
        reason = "; ".join(unavailable) or (
            f"{pointer.name} has no samples: ship inputs and reference outputs as an .npz "
            "(role sample-data) or as test_data_set_0/input_0.pb, output_0.pb")
        return reason
    errors = any(p.severity == "error" for p in problems)
    status = PASSED if not errors and all(o.passed for o in outputs) and outputs else FAILED
    return {
        "artefact": pointer.name, "sha256": pointer.sha256, "size_bytes": pointer.size_bytes,
        "status": status, "opset": signature.opset, "opsets": signature.opsets,
        "ir_version": signature.ir_version,
        "inputs": [_spec_dict(s) for s in signature.inputs],
        "outputs_declared": [_spec_dict(s) for s in signature.outputs],
        "samples": {
            "count": sum(_sample_count(c, signature) for c in cases),
            "cases": [{"name": c.name, "layout": c.layout,
                       "files": [f._asdict() for f in c.files]} for c in cases],
        },
        "outputs": [o.as_dict() for o in outputs],
        "problems": [p.message for p in problems if p.severity == "error"],
        "samples_not_checked": unavailable,
    }


def _spec_dict(spec: TensorSpec) -> dict[str, Any]:
    return {"name": spec.name, "dtype": spec.dtype,
            "shape": None if spec.shape is None else list(spec.shape)}


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


def _add_output_failures(record: Record, pointer: Pointer, outputs: list[OutputResult],
                         tolerance: tuple[float, float], findings: list[Finding]) -> None:
    rtol, atol = tolerance
    path, name = _where(record, pointer)
    for output in outputs:
        if output.passed:
            continue
        if output.shape_problems:
            message = "; ".join(output.shape_problems)
        else:
            worst = output.worst or {}
            message = (
                f"output '{output.name}' differs from the reference in {output.mismatched} of "
                f"{output.values} value(s): max abs error {output.max_abs_error:.3g}, max rel "
                f"error {output.max_rel_error:.3g}; worst at {worst.get('case')} index "
                f"{worst.get('index')}: onnxruntime {worst.get('onnxruntime')}, reference "
                f"{worst.get('reference')}")
            if output.comparison == "allclose":
                message += (f"; tolerance rtol={rtol:g}, atol={atol:g} "
                            "(|onnxruntime - reference| <= atol + rtol * |reference|)")
            else:
                message += f"; {output.comparison} comparison (no tolerance for this dtype)"
        findings.append(error("parity", f"{pointer.name}: {message}", record.location(path),
                              record.id, name))


# -- samples -------------------------------------------------------------------------------


def collect_cases(record: Record, model: Pointer, only_model: bool, signature: Signature,
                  resolver: Resolver, problems: list[Problem]) -> tuple[list[Case], list[str]]:
    """The cases for ``model``: its .npz files and its test_data_set_N folders. Sample files
    that are not available offline are listed as the second value."""
    pointers = usable_pointers(record)
    model_dir = str(PurePosixPath(model.name).parent).removeprefix(".")
    unavailable: list[str] = []

    def belongs(folder: str) -> bool:
        return only_model or folder == model_dir

    npz: list[tuple[str, Path, Pointer]] = []
    pb: dict[str, dict[str, tuple[Path, SampleFile]]] = {}
    for pointer in pointers:
        test_data = TEST_DATA.match(pointer.name)
        if test_data:
            folder = test_data.group("dir") or ""
        elif pointer.suffix == ".npz" and pointer.role in SAMPLE_ROLES:
            folder = str(PurePosixPath(pointer.name).parent).removeprefix(".")
        else:
            continue
        if not belongs(folder):
            continue
        try:
            path = resolver.resolve(record.folder, pointer)
        except ArtefactUnavailable as exc:
            unavailable.append(exc.message)
            continue
        except ArtefactError as exc:  # the same finding as the artefact check's, shown once
            problems.append(Problem("error", exc.rule, f"field '{format_path(pointer.field)}': "
                                    f"{exc.message}", pointer.field))
            continue
        if test_data:
            folder = pointer.name.rsplit("/", 1)[0]
            pb.setdefault(folder, {})[pointer.name] = (path, SampleFile(
                pointer.name, pointer.sha256, pointer.size_bytes))
        else:
            npz.append((pointer.name, path, pointer))
    _undeclared_test_data(record, model, pb, problems)
    cases = _npz_cases(npz, signature, problems)
    for folder in sorted(pb, key=_natural):
        case = _pb_case(folder, pb[folder], signature, problems)
        if case is not None:
            cases.append(case)
    return cases, unavailable


def _natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _undeclared_test_data(record: Record, model: Pointer,
                          pb: dict[str, dict[str, tuple[Path, SampleFile]]],
                          problems: list[Problem]) -> None:
    """Model Zoo packages keep test_data_set_N/ next to the model without listing each file:
    take them as they are (their sha256 goes into the report)."""
    model_dir = PurePosixPath(model.name).parent if model.is_local else PurePosixPath(".")
    base = record.folder / model_dir
    if not base.is_dir():
        return
    for folder in sorted(base.glob("test_data_set_*")):
        if not folder.is_dir() or not re.fullmatch(r"test_data_set_\d+", folder.name):
            continue
        logical = (model_dir / folder.name).as_posix().removeprefix("./")
        for file in sorted(folder.glob("*.pb")):
            name = f"{logical}/{file.name}"
            if not TEST_DATA.match(name) or name in pb.get(logical, {}):
                continue
            try:
                path = local_file(record.folder, name)
            except ArtefactError as exc:
                problems.append(Problem("error", exc.rule, f"{name}: {exc.message}"))
                continue
            pb.setdefault(logical, {})[name] = (path, SampleFile(
                name, sha256_file(path), path.stat().st_size))


def _dtype_name(array: Array) -> str:
    kind = array.dtype.kind
    if kind in ("U", "S", "O"):
        return "string"
    return str(array.dtype)


def _load_npz(path: Path, name: str, problems: list[Problem]) -> dict[str, Array] | None:
    import zipfile

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except ValueError as exc:
        if "Object arrays" in str(exc):
            problems.append(Problem("error", "parity-samples", f"{name} holds pickled object "
                                    "arrays, which are never loaded; store numeric arrays"))
        elif "pickle" in str(exc):
            problems.append(Problem("error", "parity-samples", f"{name} is not an .npz file (it "
                                    "looks like a pickle, which is never loaded)"))
        else:
            problems.append(Problem("error", "parity-samples", f"{name} cannot be read: {exc}"))
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        problems.append(Problem("error", "parity-samples", f"{name} is not a NumPy .npz file: "
                                f"{exc}"))
    return None


def _npz_cases(files: list[tuple[str, Path, Pointer]], signature: Signature,
               problems: list[Problem]) -> list[Case]:
    inputs = {s.name for s in signature.inputs}
    outputs = {s.name for s in signature.outputs}
    complete: list[Case] = []
    halves: dict[str, list[Case]] = {"inputs": [], "outputs": []}
    for name, path, pointer in files:
        arrays = _load_npz(path, name, problems)
        if arrays is None:
            continue
        case = Case(name, "npz", files=[SampleFile(name, pointer.sha256, pointer.size_bytes)])
        for key, array in arrays.items():
            if key in inputs:
                case.inputs[key] = array
            elif key in outputs:
                case.outputs[key] = array
            else:
                problems.append(Problem("error", "parity-samples", f"{name} holds '{key}', "
                                        "which is neither an input nor an output of the model "
                                        f"(inputs: {', '.join(sorted(inputs))}; outputs: "
                                        f"{', '.join(sorted(outputs))})", pointer.field))
        if case.inputs and case.outputs:
            complete.append(case)
        elif case.inputs or case.outputs:
            halves["inputs" if case.inputs else "outputs"].append(case)
    if halves["inputs"] or halves["outputs"]:
        if len(halves["inputs"]) == 1 and len(halves["outputs"]) == 1:
            given, expected = halves["inputs"][0], halves["outputs"][0]
            complete.append(Case(f"{given.name} + {expected.name}", "npz", given.inputs,
                                 expected.outputs, given.files + expected.files))
        else:
            names = ", ".join(c.name for c in halves["inputs"] + halves["outputs"])
            problems.append(Problem("error", "parity-samples", f"cannot pair the sample files "
                                    f"{names}: put each set of inputs and its reference outputs "
                                    "in one .npz, or ship exactly one file of inputs and one of "
                                    "reference outputs"))
    return complete


def _pb_case(folder: str, files: dict[str, tuple[Path, SampleFile]], signature: Signature,
             problems: list[Problem]) -> Case | None:
    import onnx
    from onnx import numpy_helper

    case = Case(folder, "onnx-test-data", files=[f for _, f in sorted(
        files.values(), key=lambda item: _natural(item[1].name))])
    for name in sorted(files, key=_natural):
        path = files[name][0]
        match = TEST_DATA.match(name)
        assert match is not None
        side, position = match.group("io"), int(match.group("k"))
        specs = signature.inputs if side == "input" else signature.outputs
        tensor = onnx.TensorProto()
        try:
            tensor.ParseFromString(path.read_bytes())
        except Exception as exc:  # protobuf's DecodeError
            problems.append(Problem("error", "parity-samples", f"{name} is not a serialised "
                                    f"TensorProto: {exc}"))
            continue
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            problems.append(Problem("error", "parity-samples", f"{name} keeps its data in an "
                                    "external file; sample tensors must hold their data"))
            continue
        names = {s.name for s in specs}
        tensor_name = tensor.name if tensor.name in names else (
            specs[position].name if position < len(specs) else None)
        if tensor_name is None:
            problems.append(Problem("error", "parity-samples", f"{name}: the model has "
                                    f"{len(specs)} {side}(s), so there is no {side} {position}, "
                                    f"and the tensor's name '{tensor.name}' is not one of them"))
            continue
        try:
            array = numpy_helper.to_array(tensor)
        except Exception as exc:  # an element type numpy cannot hold
            problems.append(Problem("error", "parity-samples", f"{name} cannot be read: {exc}"))
            continue
        (case.inputs if side == "input" else case.outputs)[tensor_name] = array
    if not case.inputs and not case.outputs:
        return None
    return case


def _sample_count(case: Case, signature: Signature) -> int:
    """Rows in the batch when the first input has a dynamic first dimension, else one."""
    if not signature.inputs:
        return 1
    spec = signature.inputs[0]
    array = case.inputs.get(spec.name)
    dynamic = spec.shape is not None and len(spec.shape) > 0 and not isinstance(spec.shape[0],
                                                                                   int)
    if array is not None and dynamic and array.ndim > 0:
        return int(array.shape[0])
    return 1


# -- running and comparing -----------------------------------------------------------------


def make_session(path: Path) -> Any:
    """An onnxruntime session on the CPU provider with a fixed thread count."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = THREADS
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    options.use_deterministic_compute = True
    return ort.InferenceSession(str(path), options, providers=[PROVIDER])


def run_and_compare(path: Path, signature: Signature, cases: list[Case],
                    tolerance: tuple[float, float], problems: list[Problem],
                    model_name: str) -> list[OutputResult]:
    try:
        session = make_session(path)
    except Exception as exc:  # onnxruntime raises its own exception types
        problems.append(Problem("error", "parity-run", f"onnxruntime cannot load {model_name}: "
                                f"{_first_line(exc)}"))
        return []
    specs = {s.name: s for s in signature.inputs}
    output_names = [o.name for o in session.get_outputs()]
    results: dict[str, OutputResult] = {}
    for case in cases:
        feeds = _feeds(case, specs, problems)
        if feeds is None:
            continue
        if not case.outputs:
            problems.append(Problem("error", "parity-samples", f"{case.name} has inputs but no "
                                    "reference outputs to compare with"))
            continue
        try:
            produced = session.run(output_names, feeds)
        except Exception as exc:  # onnxruntime raises its own exception types
            problems.append(Problem("error", "parity-run", f"onnxruntime cannot run "
                                    f"{model_name} on {case.name}: {_first_line(exc)}"))
            continue
        for name, actual in zip(output_names, produced, strict=True):
            if name not in case.outputs:
                continue
            expected = case.outputs[name]
            result = results.setdefault(name, OutputResult(name, _comparison(expected)))
            compare_output(result, case.name, actual, expected, tolerance)
    return [results[n] for n in output_names if n in results]


def _feeds(case: Case, specs: dict[str, TensorSpec], problems: list[Problem]
           ) -> dict[str, Array] | None:
    feeds: dict[str, Array] = {}
    for name, spec in specs.items():
        if name not in case.inputs:
            problems.append(Problem("error", "parity-samples", f"{case.name} has no value for "
                                    f"the model's input '{name}'"))
            return None
        array = case.inputs[name]
        if _dtype_name(array) != spec.dtype:
            problems.append(Problem("error", "parity-samples", f"{case.name}: input '{name}' is "
                                    f"{_dtype_name(array)} but the model takes {spec.dtype}; "
                                    f"store the samples as {spec.dtype}"))
            return None
        feeds[name] = array
    return feeds


def _comparison(expected: Array) -> str:
    return "allclose" if expected.dtype.kind in ("f", "c") else "exact"


def compare_output(result: OutputResult, case: str, actual_value: Any, expected: Array,
                   tolerance: tuple[float, float]) -> None:
    """Fold one case's comparison of one output into ``result``."""
    import numpy as np

    actual = np.asarray(actual_value)
    if actual.shape != expected.shape:
        result.shape_problems.append(
            f"output '{result.name}' has shape {list(actual.shape)} but the reference in "
            f"{case} has shape {list(expected.shape)}")
        return
    result.values += int(expected.size)
    if expected.size == 0:
        return
    if result.comparison == "exact" or actual.dtype.kind not in ("f", "c"):
        bad = actual != expected
        excess = bad.astype(np.float64)
        if actual.dtype.kind in "iub" and expected.dtype.kind in "iub":
            diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
        else:
            diff = excess
        reference = np.abs(expected.astype(np.float64)) if expected.dtype.kind in "iub" else None
    else:
        rtol, atol = tolerance
        got, want = actual.astype(np.complex128 if actual.dtype.kind == "c" else np.float64), \
            expected.astype(np.complex128 if expected.dtype.kind == "c" else np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(got - want)
            same = (np.isnan(got) & np.isnan(want)) | (got == want)
            diff = np.where(same, 0.0, np.where(np.isnan(diff), np.inf, diff))
            reference = np.abs(want)
            allowed = np.where(np.isfinite(reference), atol + rtol * reference, 0.0)
            excess = diff - allowed
        bad = excess > 0
    mismatched = int(np.count_nonzero(bad))
    result.mismatched += mismatched
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = (np.where(diff == 0, 0.0, diff / reference) if reference is not None
                    else np.where(bad, np.inf, 0.0))
    result.max_abs_error = max(result.max_abs_error, float(np.max(diff)))
    result.max_rel_error = max(result.max_rel_error, float(np.nan_to_num(np.max(relative),
                                                                         nan=np.inf)))
    flat = int(np.argmax(excess))
    worst_excess = float(excess.reshape(-1)[flat])
    if worst_excess > result.worst_excess:
        index = [int(i) for i in np.unravel_index(flat, expected.shape)]
        result.worst_excess = worst_excess
        result.worst = {"case": case, "index": index,
                        "onnxruntime": _scalar(actual[tuple(index)]),
                        "reference": _scalar(expected[tuple(index)])}


def _scalar(value: Any) -> Any:
    item = value.item() if hasattr(value, "item") else value
    if isinstance(item, bytes):
        return item.decode("utf-8", "replace")
    if isinstance(item, complex):
        return str(item)
    return _json_number(item) if isinstance(item, float) else item


def _json_number(value: float) -> float | str:
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return value


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# -- the report ----------------------------------------------------------------------------


def runtime_versions() -> dict[str, Any]:
    import numpy
    import onnx
    import onnxruntime

    return {"onnxruntime": onnxruntime.__version__, "onnx": onnx.__version__,
            "numpy": numpy.__version__, "python": platform.python_version(),
            "execution_provider": PROVIDER, "intra_op_threads": THREADS,
            "inter_op_threads": THREADS}


def build_report(record: Record, runs: list[dict[str, Any]], status: str,
                 tolerance: tuple[float, float]) -> dict[str, Any]:
    rtol, atol = tolerance
    return {
        "format": REPORT_FORMAT,
        "model": record.id,
        "version": record.data.get("version"),
        "status": status,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tolerance": {"rtol": rtol, "atol": atol,
                      "rule": "|onnxruntime - reference| <= atol + rtol * |reference|"},
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
    report_path(record).write_text(render_report(report), encoding="utf-8")
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
        cases = run.get("samples", {}).get("cases", []) if isinstance(run, dict) else []
        for case in cases:
            for sample in case.get("files", []):
                reason = _sample_changed(record, sample, declared)
                if reason:
                    reasons.append(reason)
    return reasons


def _sample_changed(record: Record, sample: dict[str, Any], declared: dict[str, str]) -> str | None:
    name, digest = sample.get("name"), sample.get("sha256")
    if not isinstance(name, str):
        return "it lists a sample file without a name"
    if name in declared:
        current = declared[name]
    else:
        try:
            current = sha256_file(local_file(record.folder, name))
        except (ArtefactError, OSError):
            return f"its sample file {name} is no longer in the package"
    if current != digest:
        return f"its sample file {name} has changed (sha256 {current}, report {digest})"
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
    reasons = stale_reasons(record, committed)
    if outcome is not None and outcome.status in (PASSED, FAILED) and \
            outcome.status != committed.get("status"):
        reasons.append(f"it says {committed.get('status')} but parity now {outcome.status}")
    if reasons:
        yield error("parity-evidence", f"{REPORT_FILE} is stale: " + "; ".join(reasons)
                    + f"; regenerate it with {command}", report_location, record.id)
    elif committed.get("status") != PASSED and (outcome is None or outcome.status not in (
            PASSED, FAILED)):
        yield error("parity", f"{REPORT_FILE} records a failed parity check "
                    f"({committed.get('date')}); fix the package and run {command}",
                    report_location, record.id)


# -- the check -----------------------------------------------------------------------------


def check_parity(context: CheckContext) -> Iterable[Finding]:
    """Offline parity for ``omh validate``: models whose ONNX files are in the repository are
    run on their samples; for models whose ONNX file is remote, the committed report is checked
    against the record. Models without ONNX are left to ``omh parity`` to report."""
    resolver = Resolver.from_settings(context.store.root, context.store.settings.artefacts)
    for record in context.records:
        if record.kind.name != "model" or record.status == "deleted":
            continue
        models = onnx_pointers(record)
        if not models:
            continue
        committed, problem = read_report(record)
        outcome = evaluate_model(record, resolver) if all(p.is_local for p in models) else None
        if outcome is not None:
            yield from outcome.findings
        yield from evidence_findings(record, outcome, committed, problem)
