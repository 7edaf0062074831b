"""Bounded parity runs and the evidence around them: a Loop of 10^15 trips and a model that
allocates 40 GB are stopped by the limits of catalogue.yaml; a 2 MB .npz that inflates to 2 GiB
is refused before it is inflated, and never inflated when the model does not need it; ONNX
external data hidden in sparse attributes or function bodies is found; the runtime is never
started on a model onnx.checker refuses; the tolerance has a ceiling; the evidence goes stale
only when a file parity depends on changes."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from conftest import findings_for
from onnx import TensorProto, helper, numpy_helper
from parity_helpers import (
    IRIS,
    Port,
    edit_record,
    iris_catalogue,
    model_package,
    onnx_model,
    pointer,
    replace_file,
    tiny_model,
    tiny_record,
    with_external_location,
    write_yaml,
)

from catalogue.check.onnx_package import external_locations
from catalogue.check.onnx_runner import run_model
from catalogue.model.settings import ParitySettings
from omh.commands import parity as parity_command

BOMB_BYTES = 2 * 1024**3


def parity(root: Path, *models: str, write: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = parity_command.run(argparse.Namespace(root=root, models=list(models),
                                                     fetch=False, write=write, format="text"))
    return code, out.getvalue()


def settings(root: Path, **parity: Any) -> None:
    write_yaml(root / "catalogue.yaml", {"title": "Test catalogue", "parity": parity})


def loop_bomb() -> onnx.ModelProto:
    """y = x + 1, 10^15 times, in a Loop."""
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Add", ["v_in", "one"], ["v_out"])], "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_in", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_out", TensorProto.FLOAT, [1])],
        initializer=[helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])])
    return onnx_model(
        [helper.make_node("Constant", [], ["trips"], value=helper.make_tensor(
            "trips", TensorProto.INT64, [], [10**15])),
         helper.make_node("Constant", [], ["go"], value=helper.make_tensor(
             "go", TensorProto.BOOL, [], [True])),
         helper.make_node("Loop", ["trips", "go", "x"], ["y"], body=body)],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])], opset=17)


def memory_bomb() -> onnx.ModelProto:
    """Expand a scalar to 100000 x 100000 float32: 40 GB."""
    return onnx_model(
        [helper.make_node("Expand", ["x", "shape"], ["y"])],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, None])],
        initializer=[helper.make_tensor("shape", TensorProto.INT64, [2], [100000, 100000])],
        opset=17)


def _scalar_package(root: Path, slug: str, model: onnx.ModelProto) -> Path:
    return model_package(root, slug, model,
                         [Port({"name": "x", "dtype": "float32", "shape": [1]},
                               [np.zeros(1, np.float32)])],
                         [Port({"name": "y", "dtype": "float32", "shape": ["a", "b"][
                             :len(model.graph.output[0].type.tensor_type.shape.dim)]},
                               [np.ones(1, np.float32)])])


def test_a_loop_bomb_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    settings(root, timeout_seconds=2)
    _scalar_package(root, "loop-bomb", loop_bomb())
    started = time.monotonic()
    code, out = parity(root, "models/loop-bomb")
    elapsed = time.monotonic() - started
    assert code == 1
    assert elapsed < 2 + 20, elapsed  # the limit, plus generous slack for a busy CI machine
    line = next(line for line in out.splitlines() if "[parity-limit]" in line)
    assert "onnxruntime did not finish within 2 s (parity.timeout_seconds in catalogue.yaml)" \
        in line
    # omh validate (and so the pre-commit hook) is bounded the same way
    started = time.monotonic()
    rules = {f.rule for f in findings_for(root, [root / "models/loop-bomb/record.yaml"])}
    assert "parity-limit" in rules and time.monotonic() - started < 2 + 20


def test_a_memory_bomb_is_stopped_at_the_memory_limit(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    settings(root, memory_limit_mb=1024)
    folder = _scalar_package(root, "memory-bomb", memory_bomb())
    code, out = parity(root, "models/memory-bomb")
    assert code == 1
    line = next(line for line in out.splitlines() if "[parity-limit]" in line)
    assert "refused" in line and "limited to 1024 MiB: parity.memory_limit_mb" in line
    limits = ParitySettings(memory_limit_mb=1024)
    run = run_model(folder / "model.onnx", {"case": {"x": np.zeros(1, np.float32)}}, limits)
    assert run.case_failures["case"].kind == "memory"
    assert 0 < run.peak_memory_bytes < 1024 * 1024**2


# -- sample archives -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An .npz of about 2 MB: 'x' inflates to 2 GiB of float32 zeros; 'a' and 'b' are small."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.npz"
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False,
                                                  "shape": (BOMB_BYTES // 4,)})
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, array in (("a", np.arange(6, dtype=np.float32).reshape(2, 3)),
                            ("b", np.arange(6, dtype=np.float32).reshape(2, 3) * 2)):
            member = io.BytesIO()
            np.lib.format.write_array(member, array)
            zf.writestr(f"{name}.npy", member.getvalue())
        with zf.open("x.npy", "w", force_zip64=True) as stream:
            stream.write(header.getvalue())
            chunk = bytes(64 * 1024**2)
            for _ in range(BOMB_BYTES // len(chunk)):
                stream.write(chunk)
    return path.read_bytes()


def _npz_package(root: Path, slug: str, model: onnx.ModelProto, samples: bytes) -> None:
    folder = root / "models" / slug
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(model.SerializeToString())
    (folder / "samples.npz").write_bytes(samples)
    names = [(v.name, [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim])
             for v in (*model.graph.input, *model.graph.output)]
    record = tiny_record([pointer("model.onnx", model.SerializeToString(), "onnx"),
                          pointer("samples.npz", samples, "sample-data")])
    record["input_schema"] = [{"name": names[0][0], "dtype": "float32", "shape": names[0][1]}]
    record["output_schema"] = [{"name": names[1][0], "dtype": "float32", "shape": names[1][1]}]
    write_yaml(folder / "record.yaml", record)


def _measured(root: Path, model: str) -> tuple[int, str, float, int]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        code, out = parity(root, model)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return code, out, time.monotonic() - started, peak


def test_a_zip_bomb_input_is_refused_before_it_is_inflated(tmp_path: Path, bomb: bytes) -> None:
    assert len(bomb) < 3 * 1024**2
    root = iris_catalogue(tmp_path)
    settings(root, max_sample_bytes=64 * 1024**2)
    _npz_package(root, "bomb-input", tiny_model(), bomb)
    code, out, elapsed, peak = _measured(root, "models/bomb-input")
    assert code == 1
    assert "samples.npz: member 'x.npy' (float32, shape [536870912]) holds 2.0 GiB once " \
           "decompressed, which would take the samples past 64.0 MiB (parity.max_sample_bytes " \
           "in catalogue.yaml)" in out
    assert elapsed < 20 and peak < 64 * 1024**2, (elapsed, peak)


def test_members_the_model_does_not_use_are_never_inflated(tmp_path: Path, bomb: bytes) -> None:
    root = iris_catalogue(tmp_path)
    settings(root, max_sample_bytes=64 * 1024**2)
    model = tiny_model()
    for value in (*model.graph.input, *model.graph.output):
        value.name = {"x": "a", "y": "b"}[value.name]
    model.graph.node[0].input[0], model.graph.node[0].output[0] = "a", "b"
    _npz_package(root, "bomb-unused", model, bomb)
    code, out, elapsed, peak = _measured(root, "models/bomb-unused")
    assert code == 1  # the stray member is reported
    assert "samples.npz holds 'x', which is neither an input nor an output" in out
    assert "models/bomb-unused: failed (model.onnx (opset 17): failed on 2 sample(s)" in out
    assert "differ" not in out.splitlines()[0]  # a and b were compared, and agree
    assert elapsed < 20 and peak < 64 * 1024**2, (elapsed, peak)


# -- external data, the checker, the runtime's own checks -----------------------------------


def _external(tensor: onnx.TensorProto, location: str) -> onnx.TensorProto:
    tensor.ClearField("float_data")
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "4")):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


def test_external_data_in_sparse_attributes_and_function_bodies_is_found(tmp_path: Path
                                                                         ) -> None:
    values = _external(numpy_helper.from_array(np.ones(1, np.float32), "v"), "../sparse.bin")
    indices = numpy_helper.from_array(np.array([0], np.int64), "i")
    sparse = helper.make_sparse_tensor(values, indices, [3])
    function_tensor = _external(numpy_helper.from_array(np.ones(1, np.float32), "f"),
                                "/etc/hostname")
    function = helper.make_function(
        "local", "Scale", ["x"], ["y"],
        [helper.make_node("Constant", [], ["k"], value=function_tensor),
         helper.make_node("Mul", ["x", "k"], ["y"])], [helper.make_opsetid("", 17)])
    graph = helper.make_graph(
        [helper.make_node("Constant", [], ["s"], sparse_value=sparse),
         helper.make_node("Scale", ["x"], ["y"], domain="local")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])])
    model = helper.make_model(graph, functions=[function], opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("local", 1)])
    assert external_locations(model) == ["../sparse.bin", "/etc/hostname"]
    root = iris_catalogue(tmp_path)
    folder = root / "models" / "hidden"
    folder.mkdir(parents=True)
    content = model.SerializeToString()
    (folder / "model.onnx").write_bytes(content)
    write_yaml(folder / "record.yaml", tiny_record([pointer("model.onnx", content, "onnx")]))
    code, out = parity(root, "models/hidden")
    assert code == 1
    assert "external data location '../sparse.bin' leaves the package" in out
    assert "external data location '/etc/hostname' is an absolute path" in out


def test_the_runtime_is_never_started_on_a_model_the_checker_refuses(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    model = tiny_model()
    model.graph.node[0].op_type = "NoSuchOperator"
    content = model.SerializeToString()
    samples = __import__("parity_helpers").npz_bytes({"x": np.ones((1, 3), np.float32),
                                                      "y": np.ones((1, 3), np.float32)})
    folder = root / "models" / "refused"
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(content)
    (folder / "samples.npz").write_bytes(samples)
    write_yaml(folder / "record.yaml", tiny_record([pointer("model.onnx", content, "onnx"),
                                                    pointer("samples.npz", samples,
                                                            "sample-data")]))
    code, out = parity(root, "models/refused")
    assert code == 1
    assert "fails onnx.checker (full check)" in out
    assert "model.onnx was not run: onnxruntime is never started on a model that onnx.checker " \
           "refuses" in out


def test_the_runtime_refuses_external_data_outside_the_model_folder(tmp_path: Path) -> None:
    """The pinned onnxruntime has its own path check (the catalogue's comes first)."""
    import onnxruntime

    (tmp_path / "outside.bin").write_bytes(np.full(3, 2.0, np.float32).tobytes())
    inner = tmp_path / "package"
    inner.mkdir()
    (inner / "model.onnx").write_bytes(with_external_location(tiny_model(), "../outside.bin"))
    with pytest.raises(Exception, match=r"(?i)escapes|outside|not allowed|invalid"):
        onnxruntime.InferenceSession(str(inner / "model.onnx"),
                                     providers=["CPUExecutionProvider"])


# -- tolerance, staleness, the evidence file -------------------------------------------------


def test_a_looser_tolerance_than_the_catalogue_allows_needs_a_reason(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    edit_record(root, lambda d: d.update(parity={"rtol": 0.5, "atol": 10}))
    code, out = parity(root, IRIS)
    assert code == 1
    assert "field 'parity.rtol': 0.5 is looser than the catalogue's maximum 0.001 " \
           "(parity.max_rtol in catalogue.yaml)" in out
    assert "field 'parity.atol': 10 is looser" in out
    edit_record(root, lambda d: d["parity"].update(
        tolerance_reason="Trained in float16; the export runs in float32."))
    code, out = parity(root, IRIS)
    assert "[parity-tolerance]" not in out
    settings(root, max_rtol=1.0, max_atol=100)
    edit_record(root, lambda d: d["parity"].pop("tolerance_reason"))
    code, out = parity(root, IRIS)
    assert "[parity-tolerance]" not in out


def test_evidence_is_stale_only_when_a_file_parity_depends_on_changes(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    replace_file(root, "inference.py", b"print('changed')\n")
    (root / IRIS / "README.md").write_text((root / IRIS / "README.md").read_text() + "\nMore.\n")
    assert not [f for f in findings_for(root) if f.rule.startswith("parity")]
    arrays = dict(np.load(root / IRIS / "samples.npz"))
    replace_file(root, "samples.npz", __import__("parity_helpers").npz_bytes(arrays) + b"")
    stale = [f for f in findings_for(root) if f.rule == "parity-evidence"]
    assert len(stale) == 1 and "its sample file samples.npz has changed" in stale[0].message


def test_the_report_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me")
    report = root / IRIS / "parity-report.json"
    report.unlink()
    report.symlink_to(target)
    code, out = parity(root, IRIS, write=True)
    assert code == 1 and "is a symlink; it is never written through" in out
    assert target.read_text() == "keep me"


def test_the_report_names_external_data_and_runtime_failures(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    data = np.full((3,), 2.0, dtype=np.float32).tobytes()
    folder = root / "models" / "tiny"
    folder.mkdir(parents=True)
    model = with_external_location(tiny_model(), "w.bin")
    samples = __import__("parity_helpers").npz_bytes({"x": np.ones((2, 3), np.float32),
                                                      "y": np.full((2, 3), 2, np.float32)})
    for name, content in (("model.onnx", model), ("w.bin", data), ("samples.npz", samples)):
        (folder / name).write_bytes(content)
    write_yaml(folder / "record.yaml", tiny_record([
        pointer("model.onnx", model, "onnx"), pointer("w.bin", data, "weights"),
        pointer("samples.npz", samples, "sample-data")]))
    code, out = parity(root, "models/tiny", write=True)
    assert code == 0, out
    report = json.loads((folder / "parity-report.json").read_text())
    assert report["runs"][0]["external_data"] == [{"name": "w.bin", "sha256": pointer(
        "w.bin", data, "weights")["sha256"]}]
    replace_file(root, "w.bin", np.full((3,), 3.0, dtype=np.float32).tobytes(), "models/tiny")
    stale = [f for f in findings_for(root) if f.rule == "parity-evidence"]
    assert any("its external data file w.bin has changed" in f.message for f in stale)
