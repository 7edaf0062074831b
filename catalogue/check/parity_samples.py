"""The sample inputs and reference outputs shipped with a model, in both layouts:

* NumPy ``.npz`` (role ``sample-data`` or ``reference-output``): tensors named after the
  model's inputs and outputs. One file may hold both; or one file holds the inputs and one the
  outputs. Members are read one by one within the sample budget, and only those the model
  uses; pickled object arrays are refused, never loaded. An .npz holds tensors only: a
  sequence, map or optional needs the second layout.
* ONNX test data: ``test_data_set_N/input_K.pb`` and ``output_K.pb``, each the serialised
  proto of the value's type (``TensorProto``, ``SequenceProto``, ``MapProto``,
  ``OptionalProto``), read with ``onnx.numpy_helper`` and matched by name or, when the name is
  empty or unknown, by position K.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from catalogue.check.onnx_package import Problem, Signature, TensorSpec
from catalogue.load.artefacts import Resolver, local_file, sha256_file
from catalogue.load.onnx_values import (
    UnreadableValue,
    described_type,
    read_proto_value,
    value_bytes,
)
from catalogue.load.samples import Budget, SampleError, npz_members, read_npz
from catalogue.model.pointers import ArtefactError, ArtefactUnavailable, Pointer, usable_pointers
from catalogue.model.records import Record
from catalogue.model.yaml_source import format_path

SAMPLE_ROLES = frozenset({"sample-data", "reference-output"})
TEST_DATA = re.compile(r"^(?:(?P<dir>.+)/)?(?P<set>test_data_set_\d+)/(?P<io>input|output)_"
                       r"(?P<k>\d+)\.pb$")


class SampleFile(NamedTuple):
    name: str
    sha256: str
    size_bytes: int


@dataclass
class Case:
    """One run of the model: inputs and expected outputs by name."""

    name: str
    layout: str
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    files: list[SampleFile] = field(default_factory=list)


def record_signature(record: Record) -> Signature:
    """The inputs and outputs as the record describes them (for reading samples without the
    model, e.g. to plot them)."""
    def side(key: str) -> tuple[TensorSpec, ...]:
        entries = record.data.get(key)
        specs = []
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                described = described_type(entry)
                if described is not None:
                    specs.append(TensorSpec(entry["name"], described))
        return tuple(specs)

    return Signature(side("input_schema"), side("output_schema"), {}, 0)


def collect_cases(record: Record, model: Pointer | None, only_model: bool,
                  signature: Signature, resolver: Resolver, budget: Budget,
                  problems: list[Problem]) -> tuple[list[Case], list[str]]:
    """The cases for ``model`` (every sample of the record when ``None``): its .npz files and
    its test_data_set_N folders. Sample files not available offline are the second value."""
    model_dir = "" if model is None else str(PurePosixPath(model.name).parent).removeprefix(".")
    unavailable: list[str] = []

    def belongs(folder: str) -> bool:
        return only_model or model is None or folder == model_dir

    npz: list[tuple[Path, Pointer]] = []
    pb: dict[str, dict[str, tuple[Path, SampleFile]]] = {}
    for pointer in usable_pointers(record):
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
            pb.setdefault(pointer.name.rsplit("/", 1)[0], {})[pointer.name] = (
                path, SampleFile(pointer.name, pointer.sha256, pointer.size_bytes))
        else:
            npz.append((path, pointer))
    if model is None or model.is_local:
        base = PurePosixPath(model.name).parent if model is not None else PurePosixPath(".")
        _undeclared_test_data(record, base, pb, problems)
    cases = _npz_cases(npz, signature, budget, problems)
    for folder in sorted(pb, key=natural):
        case = _pb_case(folder, pb[folder], signature, budget, problems)
        if case is not None:
            cases.append(case)
    return cases, unavailable


def natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _undeclared_test_data(record: Record, model_dir: PurePosixPath,
                          pb: dict[str, dict[str, tuple[Path, SampleFile]]],
                          problems: list[Problem]) -> None:
    """Model Zoo packages keep test_data_set_N/ next to the model without listing each file:
    take them as they are (their sha256 goes into the report)."""
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


def _npz_cases(files: list[tuple[Path, Pointer]], signature: Signature, budget: Budget,
               problems: list[Problem]) -> list[Case]:
    inputs = {s.name: s for s in signature.inputs}
    outputs = {s.name: s for s in signature.outputs}
    complete: list[Case] = []
    halves: dict[str, list[Case]] = {"inputs": [], "outputs": []}
    for path, pointer in files:
        name = pointer.name
        try:
            members = npz_members(path)
            wanted = [m for m in members if m in inputs or m in outputs]
            arrays = read_npz(path, wanted, budget)
        except SampleError as exc:
            problems.append(Problem("error", "parity-samples", f"{name}: {exc}", pointer.field))
            continue
        for member in members:
            if member not in inputs and member not in outputs:
                problems.append(Problem("error", "parity-samples", f"{name} holds '{member}', "
                                        "which is neither an input nor an output of the model "
                                        f"(inputs: {', '.join(sorted(inputs))}; outputs: "
                                        f"{', '.join(sorted(outputs))})", pointer.field))
        case = Case(name, "npz", files=[SampleFile(name, pointer.sha256, pointer.size_bytes)])
        for key, array in arrays.items():
            spec = inputs.get(key) or outputs[key]
            if not spec.is_tensor:
                problems.append(Problem("error", "parity-samples", f"{name} holds '{key}' as an "
                                        f"array, but the model's '{key}' is "
                                        f"{spec.type.describe()}; an .npz holds tensors only: "
                                        "ship it as test_data_set_0/*.pb (onnx.numpy_helper."
                                        "from_list, from_dict or from_optional)", pointer.field))
                continue
            (case.inputs if key in inputs else case.outputs)[key] = array
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
             budget: Budget, problems: list[Problem]) -> Case | None:
    case = Case(folder, "onnx-test-data", files=[f for _, f in sorted(
        files.values(), key=lambda item: natural(item[1].name))])
    for name in sorted(files, key=natural):
        path, sample = files[name]
        match = TEST_DATA.match(name)
        assert match is not None
        side, position = match.group("io"), int(match.group("k"))
        specs = signature.inputs if side == "input" else signature.outputs
        if position >= len(specs):
            problems.append(Problem("error", "parity-samples", f"{name}: the model has "
                                    f"{len(specs)} {side}(s), so there is no {side} {position}"))
            continue
        try:
            budget.take(sample.size_bytes, name)
            tensor_name, value = read_proto_value(path.read_bytes(), specs[position].type)
            by_name = next((s for s in specs if s.name == tensor_name), None)
            spec = by_name if by_name is not None and by_name.type == specs[position].type \
                else specs[position]
            budget.take(max(0, value_bytes(value) - sample.size_bytes), f"{name} (decoded)")
        except (UnreadableValue, SampleError) as exc:
            problems.append(Problem("error", "parity-samples", f"{name}: {exc}"))
            continue
        (case.inputs if side == "input" else case.outputs)[spec.name] = value
    if not case.inputs and not case.outputs:
        return None
    return case


def sample_count(case: Case, signature: Signature) -> int:
    """Rows in the batch when the first input is a tensor with a dynamic first dimension,
    else one."""
    if not signature.inputs:
        return 1
    spec = signature.inputs[0]
    value = case.inputs.get(spec.name)
    dynamic = spec.is_tensor and spec.shape is not None and len(spec.shape) > 0 and \
        not isinstance(spec.shape[0], int)
    shape: tuple[int, ...] = getattr(value, "shape", ())
    if dynamic and shape:
        return int(shape[0])
    return 1
