"""Helpers for the artefact, parity and card tests: a catalogue holding the real Iris package,
record edits that keep checksums honest, ONNX files built on the spot, and a local HTTP server
(plain https-style file URLs, and a Hugging Face Hub endpoint) on 127.0.0.1."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import yaml
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parent.parent
IRIS = "models/iris-softmax-classifier"
IRIS_DATA = "datasets/iris-flower-measurements"
COMMIT = "0123456789abcdef0123456789abcdef01234567"

PEOPLE: dict[str, dict[str, Any]] = {
    "organizations/open-climate-lab": {
        "kind": "organization", "name": "Open Climate Lab", "organization_type": "university",
    },
    "researchers/chen-wei": {
        "kind": "researcher", "first_name": "Chen", "last_name": "Wei",
        "affiliations": ["organizations/open-climate-lab"],
    },
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def iris_catalogue(root: Path, *, report: bool = True) -> Path:
    """A catalogue with the real Iris model package and dataset, and the two records they
    refer to."""
    for record_id, data in PEOPLE.items():
        write_yaml(root / record_id / "record.yaml", data)
    for record_id in (IRIS, IRIS_DATA):
        shutil.copytree(REPO / record_id, root / record_id)
    if not report:
        (root / IRIS / "parity-report.json").unlink(missing_ok=True)
    return root


def read_record(root: Path, record_id: str = IRIS) -> dict[str, Any]:
    data = yaml.safe_load((root / record_id / "record.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def edit_record(root: Path, change: Callable[[dict[str, Any]], None],
                record_id: str = IRIS) -> None:
    data = read_record(root, record_id)
    change(data)
    write_yaml(root / record_id / "record.yaml", data)


def artefact(data: dict[str, Any], name: str) -> dict[str, Any]:
    entry = next(a for a in data["artefacts"] if a.get("path") == name or a.get("url") == name)
    assert isinstance(entry, dict)
    return entry


def replace_file(root: Path, name: str, content: bytes, record_id: str = IRIS) -> None:
    """Write a package file and record its new size and sha256, as a contributor would."""
    path = root / record_id / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)

    def update(data: dict[str, Any]) -> None:
        entries = [a for a in data.get("artefacts", []) if a.get("path") == name]
        if entries:
            entries[0].update(sha256=sha256(content), size_bytes=len(content))
        else:
            data.setdefault("artefacts", []).append({
                "path": name, "sha256": sha256(content), "size_bytes": len(content),
                "media_type": "application/octet-stream", "role": "other"})

    edit_record(root, update, record_id)


def npz_bytes(arrays: dict[str, np.ndarray[Any, Any]]) -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def load_npz(path: Path) -> dict[str, np.ndarray[Any, Any]]:
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def tiny_model(weight: float = 2.0) -> onnx.ModelProto:
    """y = x * w for x float32 [batch, 3]; w is an initialiser (big enough to go external)."""
    w = numpy_helper.from_array(np.full((3,), weight, dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["y"])], "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        initializer=[w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def with_external_location(model: onnx.ModelProto, location: str) -> bytes:
    """The model with its initialiser stored as external data at ``location`` (unchecked)."""
    tensor = model.graph.initializer[0]
    tensor.ClearField("raw_data")
    tensor.ClearField("float_data")
    tensor.data_location = TensorProto.EXTERNAL
    del tensor.external_data[:]
    for key, value in (("location", location), ("offset", "0"), ("length", "12")):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return model.SerializeToString()


def tiny_record(artefacts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "kind": "model", "name": "Tiny", "version": "1.0.0",
        "description": "Multiplies by two.", "created_at": "2025-01-01",
        "created_by": ["researchers/chen-wei"], "organization": "organizations/open-climate-lab",
        "license": "MIT", "access_rights": "public", "framework": "onnx",
        "model_type": "regression",
        "input_schema": [{"name": "x", "dtype": "float32", "shape": ["batch", 3]}],
        "output_schema": [{"name": "y", "dtype": "float32", "shape": ["batch", 3]}],
        "artefacts": artefacts, **extra,
    }


def pointer(name: str, content: bytes, role: str, *, url: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"url": url} if url else {"path": name}
    entry.update(sha256=sha256(content), size_bytes=len(content),
                 media_type="application/octet-stream", role=role)
    return entry


# -- a local HTTP server -------------------------------------------------------------------


@dataclass
class Served:
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    send_length: bool = True


@dataclass
class ArtefactServer:
    """Files by URL path; ``hub_file`` adds a file to a Hugging Face Hub style endpoint."""

    files: dict[str, Served] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, path: str, body: bytes, **options: Any) -> str:
        self.files[path] = Served(body, **options)
        return f"{self.url}{path}"

    def hub_file(self, repo_id: str, filename: str, body: bytes, *, commit: str = COMMIT,
                 revisions: tuple[str, ...] = ("main",)) -> None:
        headers = {"X-Repo-Commit": commit, "ETag": f'"{sha256(body)}"'}
        for revision in (commit, *revisions):
            self.files[f"/{repo_id}/resolve/{revision}/{filename}"] = Served(body, headers)


def _handler(server: ArtefactServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self, with_body: bool) -> None:
            server.requests.append((self.command, self.path))
            served = server.files.get(self.path.split("?", 1)[0])
            if served is None:
                self.send_response(404)
                error = "EntryNotFound" if "/resolve/" in self.path else None
                if error:
                    self.send_header("X-Error-Code", error)
                    self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(served.status)
            for key, value in served.headers.items():
                self.send_header(key, value)
            if served.send_length:
                self.send_header("Content-Length", str(len(served.body)))
            self.end_headers()
            if with_body:
                self.wfile.write(served.body)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

    return Handler


@contextmanager
def artefact_server() -> Iterator[ArtefactServer]:
    state = ArtefactServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- packages of any ONNX type, made with onnx.helper ----------------------------------------


def value_proto(value: Any, name: str, kind: str) -> bytes:
    """``value`` as the ONNX proto of its kind (the test_data_set_N/*.pb layout)."""
    from onnx import OptionalProto, SequenceProto

    def tensor(item: Any) -> onnx.TensorProto:
        array = np.asarray(item)
        if array.dtype.kind == "U":
            array = array.astype(object)
        return numpy_helper.from_array(array)

    def mapping(item: dict[Any, Any]) -> onnx.MapProto:
        keys = list(item)
        strings = isinstance(keys[0], str)
        return helper.make_map("", TensorProto.STRING if strings else TensorProto.INT64,
                               [k.encode() if strings else k for k in keys],
                               helper.make_sequence("", SequenceProto.TENSOR,
                                                    [tensor(v) for v in item.values()]))

    if kind == "tensor":
        proto: Any = tensor(value)
        proto.name = name
    elif kind == "map":
        proto = mapping(value)
        proto.name = name
    elif kind == "sequence":
        if value and isinstance(value[0], dict):
            proto = helper.make_sequence(name, SequenceProto.MAP, [mapping(v) for v in value])
        else:
            proto = helper.make_sequence(name, SequenceProto.TENSOR, [tensor(v) for v in value])
    elif kind == "optional":
        proto = numpy_helper.from_optional(
            None if value is None else np.asarray(value), name,
            dtype=None if value is None else OptionalProto.TENSOR)
    else:
        raise ValueError(kind)
    return proto.SerializeToString()  # type: ignore[no-any-return]


@dataclass
class Port:
    """One input or output: its record entry and, per sample set, its value."""

    entry: dict[str, Any]
    values: list[Any]

    @property
    def kind(self) -> str:
        return str(self.entry.get("type", "tensor"))


def model_package(root: Path, slug: str, model: onnx.ModelProto, inputs: list[Port],
                  outputs: list[Port], **fields: Any) -> Path:
    """models/<slug>: the model, one test_data_set_N per sample set, and its record."""
    folder = root / "models" / slug
    folder.mkdir(parents=True, exist_ok=True)
    files = {"model.onnx": model.SerializeToString()}
    sets = len((inputs or outputs)[0].values)
    for index in range(sets):
        for side, ports in (("input", inputs), ("output", outputs)):
            for position, port in enumerate(ports):
                files[f"test_data_set_{index}/{side}_{position}.pb"] = value_proto(
                    port.values[index], port.entry["name"], port.kind)
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    roles = {"model.onnx": "onnx"}
    record = tiny_record([pointer(n, c, roles.get(n, "sample-data")) for n, c in files.items()],
                         **fields)
    record.update(input_schema=[p.entry for p in inputs], output_schema=[p.entry for p in outputs])
    write_yaml(folder / "record.yaml", record)
    (folder / "README.md").write_text((REPO / IRIS / "README.md").read_text())
    return folder


def onnx_model(nodes: list[onnx.NodeProto], inputs: list[onnx.ValueInfoProto],
               outputs: list[onnx.ValueInfoProto], *, opset: int = 18, ml: bool = False,
               initializer: list[onnx.TensorProto] | None = None) -> onnx.ModelProto:
    opsets = [helper.make_opsetid("", opset)]
    if ml:
        opsets.append(helper.make_opsetid("ai.onnx.ml", 3))
    model = helper.make_model(helper.make_graph(nodes, "g", inputs, outputs,
                                                initializer=initializer or []),
                              opset_imports=opsets)
    model.ir_version = 9
    onnx.checker.check_model(model, full_check=True)
    return model
