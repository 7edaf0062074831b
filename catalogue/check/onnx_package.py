"""ONNX packages: the structure check (``onnx.checker``, full), external data kept inside the
package, and the signature (input and output names, element types, shapes, opset) compared with
the record's ``input_schema`` and ``output_schema``.

External data is checked before anything reads it: a location that is absolute, climbs out with
``..`` or is a symlink out of the package would make onnxruntime read any file on the machine.
For an ONNX file fetched from a URL, each external data file must itself be an artefact of the
record (so that its sha256 is known); the files are then laid out side by side in a temporary
folder, under their names in the package, for the checker and the runtime.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from catalogue.check.onnx_features import Problem as Problem
from catalogue.check.onnx_features import record_tensors
from catalogue.load.artefacts import local_file
from catalogue.load.onnx_values import Dim, ValueType, format_shape, value_type, yaml_type
from catalogue.model.pointers import ArtefactError, ArtefactUnavailable, check_relative_path
from catalogue.model.yaml_source import FieldPath

DEFAULT_DOMAINS = ("", "ai.onnx")


class TensorSpec(NamedTuple):
    """One input or output of a model: its name and type (a tensor, or a sequence, map,
    optional or sparse tensor)."""

    name: str
    type: ValueType

    @property
    def dtype(self) -> str:
        """The element type of a tensor, else the kind of value (``sequence``, ``map``...)."""
        return self.type.dtype or "" if self.type.is_tensor else self.type.kind

    @property
    def shape(self) -> tuple[Dim, ...] | None:
        return self.type.shape

    @property
    def is_tensor(self) -> bool:
        return self.type.is_tensor

    def describe(self) -> str:
        return f"'{self.name}' {self.type.describe()}"


class Signature(NamedTuple):
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    opsets: dict[str, int]
    ir_version: int

    @property
    def opset(self) -> int | None:
        return next((v for d, v in self.opsets.items() if d in DEFAULT_DOMAINS), None)


# -- reading -------------------------------------------------------------------------------


def load_proto(path: Path) -> Any:
    """The ModelProto without its external data (nothing outside the file is read)."""
    import onnx

    return onnx.load(str(path), load_external_data=False)


def _value_spec(value_info: Any) -> TensorSpec:
    return TensorSpec(value_info.name, value_type(value_info.type))


def read_signature(proto: Any) -> Signature:
    graph = proto.graph
    initialisers = {t.name for t in graph.initializer}
    inputs = tuple(_value_spec(v) for v in graph.input if v.name not in initialisers)
    outputs = tuple(_value_spec(v) for v in graph.output)
    opsets = {(o.domain or "ai.onnx"): int(o.version) for o in proto.opset_import}
    return Signature(inputs, outputs, opsets, int(proto.ir_version))


def _attribute_tensors(nodes: Any) -> Iterator[Any]:
    """Every TensorProto in the attributes of ``nodes``: tensors, sparse tensors (values and
    indices) and the graphs of control-flow nodes, at any depth."""
    for node in nodes:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            sparse = [attribute.sparse_tensor] if attribute.HasField("sparse_tensor") else []
            for item in [*sparse, *attribute.sparse_tensors]:
                yield item.values
                yield item.indices
            if attribute.HasField("g"):
                yield from _tensors(attribute.g)
            for subgraph in attribute.graphs:
                yield from _tensors(subgraph)


def _tensors(graph: Any) -> Iterator[Any]:
    """Every TensorProto of a graph that can hold external data, subgraphs included."""
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield sparse.values
        yield sparse.indices
    yield from _attribute_tensors(graph.node)


def model_tensors(proto: Any) -> Iterator[Any]:
    """Every TensorProto of a model: its graph and the bodies of its local functions."""
    yield from _tensors(proto.graph)
    for function in proto.functions:
        yield from _attribute_tensors(function.node)


def external_locations(proto: Any) -> list[str]:
    """The ``location`` of every external-data tensor, in order of first appearance."""
    locations: dict[str, None] = {}
    for tensor in model_tensors(proto):
        if tensor.data_location != 1:  # TensorProto.EXTERNAL
            continue
        entries = {e.key: e.value for e in tensor.external_data}
        locations.setdefault(entries.get("location", ""), None)
    return list(locations)


# -- external data and the runnable layout -------------------------------------------------


@dataclass
class Layout:
    """Where the checker and the runtime read the model from, and what went wrong getting it."""

    path: Path | None
    proto: Any = None
    problems: list[Problem] = field(default_factory=list)
    external_files: list[str] = field(default_factory=list)


def _external_name(model_name: str, location: str) -> str:
    """The package name of external data ``location`` written in the model ``model_name``."""
    if not location:
        raise ArtefactError("onnx-external-data", "a tensor is stored as external data but "
                            "names no location")
    if location.startswith(("/", "\\", "~")) or (len(location) > 1 and location[1] == ":"):
        raise ArtefactError("onnx-external-data", f"external data location '{location}' is an "
                            "absolute path outside the package; re-save the model with "
                            "onnx.save(..., location='<file next to the model>')")
    parent = PurePosixPath(model_name).parent
    joined = (parent / location.replace("\\", "/")).as_posix()
    try:
        return check_relative_path(joined)
    except ArtefactError:
        raise ArtefactError("onnx-external-data", f"external data location '{location}' "
                            "leaves the package ('..'); keep the data file next to the "
                            "model") from None


@contextlib.contextmanager
def runnable_layout(model_path: Path, model_name: str, package_dir: Path | None,
                    remote_file: Callable[[str], Path | None]) -> Iterator[Layout]:
    """Yield the path to give to the checker and runtime, once every external data location is
    known to stay inside the package.

    ``package_dir`` is the record's folder for a local model (external files are read in place)
    or ``None`` for a fetched one: then ``remote_file(name)`` must give the verified copy of
    each external file, and the model and its data are linked side by side in a temporary
    folder under their package names.
    """
    try:
        proto = load_proto(model_path)
    except Exception as exc:  # protobuf raises its own DecodeError, onnx raises others
        yield Layout(None, None, [Problem("error", "onnx-load", f"{model_name} is not a "
                                          f"readable ONNX model: {_first_line(exc)}")])
        return
    layout = Layout(model_path, proto)
    files: dict[str, Path] = {}
    for location in external_locations(proto):
        try:
            name = _external_name(model_name, location)
            if package_dir is not None:
                files[name] = local_file(package_dir, name)
            else:
                found = remote_file(name)
                if found is None:
                    raise ArtefactError("onnx-external-data", f"external data '{location}' is not "
                                        "an artefact of the record; list it under artefacts with"
                                        " its url, sha256 and size_bytes")
                files[name] = found
        except ArtefactUnavailable:
            raise  # not a defect: the caller reports that there is no evidence yet
        except ArtefactError as exc:
            layout.problems.append(Problem("error", "onnx-external-data",
                                           f"{model_name}: {exc.message}"))
    layout.external_files = sorted(files)
    if layout.problems:
        layout.path = None
        yield layout
        return
    if package_dir is not None or not files:
        yield layout
        return
    staging = Path(tempfile.mkdtemp(prefix="omh-onnx-"))
    try:
        for name, source in [(model_name, model_path), *files.items()]:
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            _link(source, target)
        layout.path = staging / model_name
        yield layout
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# -- checks --------------------------------------------------------------------------------


def check_structure(path: Path, model_name: str) -> list[Problem]:
    """``onnx.checker`` with ``full_check`` (types and shapes inferred through the graph)."""
    import onnx

    try:
        onnx.checker.check_model(str(path), full_check=True)
    except Exception as exc:  # ValidationError, InferenceError, or a file it cannot parse
        message = _first_line(exc).removeprefix("[ONNXRuntimeError] : ")
        return [Problem("error", "onnx-checker", f"{model_name} fails onnx.checker (full check): "
                        f"{message}")]
    return []


def _yaml_tensor(spec: TensorSpec) -> str:
    return f"{{name: {spec.name}, {yaml_type(spec.type)}}}"


def compare_signature(record_data: dict[str, Any], signature: Signature,
                      model_name: str) -> list[Problem]:
    """The record's input_schema / output_schema against the model's graph."""
    problems: list[Problem] = []
    for key, specs, what in (("input_schema", signature.inputs, "input"),
                             ("output_schema", signature.outputs, "output")):
        problems.extend(_compare_side(record_data, key, specs, what, model_name))
    return problems


def _compare_side(record_data: dict[str, Any], key: str, specs: tuple[TensorSpec, ...],
                  what: str, model_name: str) -> Iterator[Problem]:
    declared = record_tensors(record_data, key)
    by_name = {s.name: s for s in specs}
    listing = ", ".join(s.describe() for s in specs) or "none"
    if key not in record_data:
        yield Problem("warning", "onnx-signature", f"field '{key}': missing; {model_name} has "
                      f"{what}s {listing}; describe them, e.g. "
                      + ", ".join(_yaml_tensor(s) for s in specs), None)
        return
    names = {t["name"] for _, t in declared}
    for index, entry in declared:
        match = by_name.get(entry["name"])
        base: FieldPath = (key, index)
        if match is None:
            yield Problem("error", "onnx-signature", f"field '{key}[{index}].name': the record "
                          f"declares {what} '{entry['name']}' but {model_name} has no such "
                          f"{what} (its {what}s: {listing})", (*base, "name"))
            continue
        label = f"{model_name}'s {what} '{match.name}'"
        yield from _compare_type(entry, match.type, base, f"{key}[{index}]", label)
    for spec in specs:
        if spec.name not in names:
            yield Problem("error", "onnx-signature", f"field '{key}': {model_name} has {what} "
                          f"{spec.describe()} that the record does not declare; add "
                          f"{_yaml_tensor(spec)}", (key,))


def _compare_type(entry: dict[str, Any], model: ValueType, base: FieldPath, where: str,
                  label: str) -> Iterator[Problem]:
    """One described value against the model's type, nested values included."""
    kind = entry.get("type", "tensor")
    if kind != model.kind:
        yield Problem("error", "onnx-signature", f"field '{where}': the record describes a "
                      f"{kind} but {label} is {model.describe()}; write {{{yaml_type(model)}}}",
                      (*base, "type") if "type" in entry else base)
        return
    if model.kind in ("tensor", "sparse_tensor"):
        yield from _compare_tensor(entry, model, base, where, label)
        return
    if model.kind == "map":
        key = entry.get("key_dtype")
        if isinstance(key, str) and key != model.dtype:
            yield Problem("error", "onnx-signature", f"field '{where}.key_dtype': the record "
                          f"says {key} but the keys of {label} are {model.dtype}",
                          (*base, "key_dtype"))
    inner_key = "value" if model.kind == "map" else "element"
    inner = entry.get(inner_key)
    if isinstance(inner, dict) and model.element is not None:
        yield from _compare_type(inner, model.element, (*base, inner_key),
                                 f"{where}.{inner_key}", f"{label} ({inner_key})")


def _compare_tensor(tensor: dict[str, Any], spec: ValueType, base: FieldPath, where: str,
                    label: str) -> Iterator[Problem]:
    dtype = tensor.get("dtype")
    if isinstance(dtype, str) and dtype != spec.dtype:
        yield Problem("error", "onnx-signature", f"field '{where}.dtype': the record says "
                      f"{dtype} but {label} is {spec.dtype}", (*base, "dtype"))
    shape = tensor.get("shape")
    if not isinstance(shape, list) or spec.shape is None:
        return
    if len(shape) != len(spec.shape):
        yield Problem("error", "onnx-signature", f"field '{where}.shape': the record says "
                      f"{format_shape(shape)} (rank {len(shape)}) but {label} has shape "
                      f"{format_shape(spec.shape)} (rank {len(spec.shape)})", (*base, "shape"))
        return
    for axis, (mine, theirs) in enumerate(zip(shape, spec.shape, strict=True)):
        field_path: FieldPath = (*base, "shape", axis)
        at = f"field '{where}.shape[{axis}]'"
        if isinstance(mine, int) and isinstance(theirs, int) and mine != theirs:
            yield Problem("error", "onnx-signature", f"{at}: the record says {mine} but {label} "
                          f"has {theirs} here (shape {format_shape(spec.shape)})", field_path)
        elif isinstance(mine, str) and isinstance(theirs, int):
            yield Problem("error", "onnx-signature", f"{at}: the record says '{mine}' (any size)"
                          f" but {label} fixes this dimension to {theirs}; export it with a "
                          f"dynamic axis, or write {theirs}", field_path)
        elif isinstance(mine, int) and not isinstance(theirs, int):
            shown = f"'{theirs}'" if theirs else "unnamed"
            yield Problem("error", "onnx-signature", f"{at}: the record says {mine} but {label} "
                          f"accepts any size here ({shown}); write a name such as 'batch' if "
                          "any size works", field_path)
