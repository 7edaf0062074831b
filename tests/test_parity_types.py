"""Parity for every type onnxruntime runs, on packages made like ONNX's own conformance cases
(models built with onnx.helper, samples as test_data_set_N/*.pb protos or .npz): tensors of
many element types, sequences of tensors and of maps, maps, optionals present and empty. Each
passes; a perturbed copy fails with the worst element, its position and both values; a model
onnxruntime cannot run is refused as the runtime's limitation, with its reason."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from parity_helpers import (
    Port,
    edit_record,
    iris_catalogue,
    model_package,
    npz_bytes,
    onnx_model,
    pointer,
    value_proto,
)

from catalogue.load.onnx_values import dtype_names
from omh.commands import parity as parity_command

DTYPES = {"uint64": np.uint64, "uint32": np.uint32, "int8": np.int8, "float16": np.float16,
          "float64": np.float64, "bool": np.bool_, "string": str, "float32": np.float32}


def parity(root: Path, *models: str) -> tuple[int, str]:
    """``omh parity --root ROOT MODEL...``, its exit code and what it prints."""
    import argparse

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = parity_command.run(argparse.Namespace(root=root, models=list(models),
                                                     fetch=False, write=False, format="text"))
    return code, out.getvalue()


def _values(dtype: str) -> Any:
    if dtype == "string":
        return np.array(["a", "b", "\u00e9t\u00e9"], dtype=str)
    if dtype == "bool":
        return np.array([True, False, True])
    if dtype == "float32":
        return np.array([1.5, np.nan, -np.inf], dtype=np.float32)
    return np.array([1, 2, 3]).astype(DTYPES[dtype])


def _tensors(root: Path, slug: str = "tensors") -> Path:
    nodes, inputs, outputs, ins, outs = [], [], [], [], []
    for dtype in DTYPES:
        number = next(n for n, name in dtype_names().items() if name == dtype)
        nodes.append(helper.make_node("Identity", [f"x_{dtype}"], [f"y_{dtype}"]))
        inputs.append(helper.make_tensor_value_info(f"x_{dtype}", number, ["n"]))
        outputs.append(helper.make_tensor_value_info(f"y_{dtype}", number, ["n"]))
        ins.append(Port({"name": f"x_{dtype}", "dtype": dtype, "shape": ["n"]}, [_values(dtype)]))
        outs.append(Port({"name": f"y_{dtype}", "dtype": dtype, "shape": ["n"]},
                         [_values(dtype)]))
    return model_package(root, slug, onnx_model(nodes, inputs, outputs), ins, outs)


def _sequences(root: Path) -> Path:
    float_seq = helper.make_sequence_type_proto(helper.make_tensor_type_proto(
        TensorProto.FLOAT, ["k"]))
    model = onnx_model(
        [helper.make_node("SequenceConstruct", ["a", "b"], ["pair"]),
         helper.make_node("SequenceLength", ["items"], ["count"]),
         helper.make_node("SequenceAt", ["items", "i"], ["picked"])],
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [2]),
         helper.make_value_info("items", float_seq),
         helper.make_tensor_value_info("i", TensorProto.INT64, [])],
        [helper.make_value_info("pair", helper.make_sequence_type_proto(
            helper.make_tensor_type_proto(TensorProto.FLOAT, [2]))),
         helper.make_tensor_value_info("count", TensorProto.INT64, []),
         helper.make_tensor_value_info("picked", TensorProto.FLOAT, ["k"])])
    a, b = np.array([1, 2], np.float32), np.array([3, 4], np.float32)
    items = [np.array([0.5], np.float32), np.array([1.5, 2.5, 3.5], np.float32)]
    seq = {"type": "sequence", "element": {"dtype": "float32", "shape": ["k"]}}
    return model_package(root, "sequences", model, [
        Port({"name": "a", "dtype": "float32", "shape": [2]}, [a]),
        Port({"name": "b", "dtype": "float32", "shape": [2]}, [b]),
        Port({"name": "items", **seq}, [items]),
        Port({"name": "i", "dtype": "int64", "shape": []}, [np.array(1)]),
    ], [
        Port({"name": "pair", "type": "sequence", "element": {"dtype": "float32",
                                                               "shape": [2]}}, [[a, b]]),
        Port({"name": "count", "dtype": "int64", "shape": []}, [np.array(2)]),
        Port({"name": "picked", "dtype": "float32", "shape": ["k"]}, [items[1]]),
    ])


def _maps(root: Path) -> Path:
    scalar = helper.make_tensor_type_proto(TensorProto.FLOAT, [])
    model = onnx_model(
        [helper.make_node("DictVectorizer", ["counts"], ["vector"], domain="ai.onnx.ml",
                          string_vocabulary=["a", "b", "c"]),
         helper.make_node("ZipMap", ["scores"], ["by_class"], domain="ai.onnx.ml",
                          classlabels_int64s=[10, 20, 30])],
        [helper.make_value_info("counts", helper.make_map_type_proto(TensorProto.STRING, scalar)),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["n", 3])],
        [helper.make_tensor_value_info("vector", TensorProto.FLOAT, [1, 3]),
         helper.make_value_info("by_class", helper.make_sequence_type_proto(
             helper.make_map_type_proto(TensorProto.INT64, scalar)))], ml=True)
    scores = np.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]], np.float32)
    zipped = [{10: row[0], 20: row[1], 30: row[2]} for row in scores]
    return model_package(root, "maps", model, [
        Port({"name": "counts", "type": "map", "key_dtype": "string",
              "value": {"dtype": "float32", "shape": []}},
             [{"a": np.float32(1.0), "c": np.float32(3.0)}]),
        Port({"name": "scores", "dtype": "float32", "shape": ["n", 3]}, [scores]),
    ], [
        Port({"name": "vector", "dtype": "float32", "shape": [1, 3]},
             [np.array([[1, 0, 3]], np.float32)]),
        Port({"name": "by_class", "type": "sequence", "element": {
            "type": "map", "key_dtype": "int64", "value": {"dtype": "float32", "shape": []}}},
             [zipped]),
    ])


def _optionals(root: Path) -> Path:
    optional = helper.make_optional_type_proto(helper.make_tensor_type_proto(
        TensorProto.FLOAT, [2]))
    model = onnx_model(
        [helper.make_node("Identity", ["maybe"], ["same"]),
         helper.make_node("OptionalHasElement", ["maybe"], ["present"])],
        [helper.make_value_info("maybe", optional)],
        [helper.make_value_info("same", optional),
         helper.make_tensor_value_info("present", TensorProto.BOOL, [])])
    entry = {"type": "optional", "element": {"dtype": "float32", "shape": [2]}}
    value = np.array([1.25, -2.0], np.float32)
    return model_package(root, "optionals", model, [
        Port({"name": "maybe", **entry}, [value, None]),
    ], [
        Port({"name": "same", **entry}, [value, None]),
        Port({"name": "present", "dtype": "bool", "shape": []},
             [np.array(True), np.array(False)]),
    ])


BUILDERS = {"tensors": _tensors, "sequences": _sequences, "maps": _maps,
            "optionals": _optionals}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = iris_catalogue(tmp_path_factory.mktemp("types"))
    for build in BUILDERS.values():
        build(root)
    return root


def test_every_type_passes_and_validates(packages: Path) -> None:
    code, out = parity(packages, *(f"models/{slug}" for slug in BUILDERS))
    assert code == 0, out
    for slug in BUILDERS:
        assert f"models/{slug}: passed" in out
    assert "0 error(s)" in out
    assert "[E:onnxruntime" not in out and "\x1b[" not in out  # no runtime log


def _rewrite(folder: Path, name: str, content: bytes) -> None:
    """Replace a sample file and keep its checksum in the record honest."""
    import hashlib

    (folder / name).write_bytes(content)
    root, record_id = folder.parent.parent, f"models/{folder.name}"

    def update(data: dict[str, Any]) -> None:
        entry = next(a for a in data["artefacts"] if a["path"] == name)
        entry.update(sha256=hashlib.sha256(content).hexdigest(), size_bytes=len(content))

    edit_record(root, update, record_id)


@pytest.mark.parametrize(("builder", "file", "value", "kind", "words"), [
    ("tensors", "output_6.pb", np.array(["a", "x", "\u00e9t\u00e9"]), "tensor",
     ["output 'y_string' differs from the reference in 1 of 3", "index [1]: onnxruntime 'b', "
      "reference 'x'", "exact comparison"]),
    ("tensors", "output_5.pb", np.array([True, True, True]), "tensor",
     ["output 'y_bool' differs from the reference in 1 of 3", "index [1]: onnxruntime False, "
      "reference True", "exact comparison"]),
    ("tensors", "output_3.pb", np.array([1, 2.5, 3], np.float16), "tensor",
     ["output 'y_float16' differs", "index [1]: onnxruntime 2.0, reference 2.5",
      "max abs error 0.5", "tolerance rtol=0.0001, atol=0.0001"]),
    ("tensors", "output_0.pb", np.array([1, 2, 4], np.uint64), "tensor",
     ["output 'y_uint64' differs", "index [2]: onnxruntime 3, reference 4", "max abs error 1"]),
    ("tensors", "output_7.pb", np.array([1.5, 0.0, -np.inf], np.float32), "tensor",
     ["output 'y_float32' differs", "index [1]: onnxruntime nan, reference 0.0"]),
    ("sequences", "output_0.pb", [np.array([1, 2], np.float32), np.array([3, 4.5], np.float32)],
     "sequence", ["output 'pair' differs", "worst at test_data_set_0 at [1] index [1]: "
                  "onnxruntime 4.0, reference 4.5"]),
    ("sequences", "output_0.pb", [np.array([1, 2], np.float32)], "sequence",
     ["output 'pair' in test_data_set_0: onnxruntime gives a sequence of 2 element(s) but the "
      "reference has 1"]),
    ("maps", "output_1.pb", [{10: np.float32(0.1), 20: np.float32(0.2), 30: np.float32(0.75)},
                             {10: np.float32(0.6), 20: np.float32(0.3), 30: np.float32(0.1)}],
     "sequence", ["output 'by_class' differs", "at [0][30] index []: onnxruntime "
                  "0.699999988079071, reference 0.75"]),
    ("maps", "output_1.pb", [{10: np.float32(0.1), 20: np.float32(0.2), 40: np.float32(0.7)},
                             {10: np.float32(0.6), 20: np.float32(0.3), 30: np.float32(0.1)}],
     "sequence", ["output 'by_class[0]' in test_data_set_0: the keys differ: onnxruntime lacks "
                  "[40] and adds [30]"]),
])
def test_a_perturbed_copy_fails_with_the_numbers(tmp_path: Path, builder: str, file: str,
                                                 value: Any, kind: str,
                                                 words: list[str]) -> None:
    root = iris_catalogue(tmp_path)
    folder = BUILDERS[builder](root)
    name = onnx.load(str(folder / "model.onnx")).graph.output[int(file[7])].name
    _rewrite(folder, f"test_data_set_0/{file}", value_proto(value, name, kind))
    code, out = parity(root, f"models/{builder}")
    assert code == 1, out
    line = next(line for line in out.splitlines() if "[parity]" in line)
    for expected in words:
        assert expected in line, line
    assert "1.8e+308" not in out


def test_an_empty_optional_where_the_reference_holds_a_value_fails(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    folder = _optionals(root)
    _rewrite(folder, "test_data_set_1/output_0.pb",
             value_proto(np.array([0.0, 0.0], np.float32), "same", "optional"))
    code, out = parity(root, "models/optionals")
    assert code == 1
    assert "output 'same' in test_data_set_1: onnxruntime gives an empty optional but the " \
           "reference holds a value" in out


def test_tensors_as_npz_samples(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    folder = _tensors(root, "tensors-npz")
    arrays = {f"x_{d}": _values(d) for d in DTYPES} | {f"y_{d}": _values(d) for d in DTYPES}
    content = npz_bytes(arrays)
    (folder / "samples.npz").write_bytes(content)

    def only_npz(data: dict[str, Any]) -> None:
        data["artefacts"] = [a for a in data["artefacts"] if a["role"] == "onnx"] + [
            pointer("samples.npz", content, "sample-data")]

    edit_record(root, only_npz, "models/tensors-npz")
    for path in folder.glob("test_data_set_*"):
        for file in path.iterdir():
            file.unlink()
        path.rmdir()
    code, out = parity(root, "models/tensors-npz")
    assert code == 0, out
    assert "passed on 3 sample(s) in 1 case(s), 8 output(s)" in out


def test_signatures_of_every_dtype_validate_when_they_match(packages: Path) -> None:
    from conftest import findings_for

    folder = packages / "models" / "tensors"
    findings = findings_for(packages, [folder / "record.yaml"])
    assert not [f for f in findings if f.severity == "error" or f.rule.startswith(
        ("onnx", "parity-samples"))], findings
    assert any(f.rule == "parity-evidence" and "parity passed" in f.message for f in findings)


def test_a_wrong_dtype_is_named_and_the_suggestion_is_accepted(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    _tensors(root)
    edit_record(root, lambda d: d["input_schema"][0].update(dtype="int64"), "models/tensors")
    code, out = parity(root, "models/tensors")
    assert code == 1
    assert "field 'input_schema[0].dtype': the record says int64 but model.onnx's input " \
           "'x_uint64' is uint64" in out
    edit_record(root, lambda d: d["input_schema"][0].update(dtype="uint64"), "models/tensors")
    code, out = parity(root, "models/tensors")
    assert code == 0, out


def test_a_missing_output_description_suggests_the_nested_type(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    _maps(root)
    edit_record(root, lambda d: d.update(output_schema=d["output_schema"][:1]), "models/maps")
    code, out = parity(root, "models/maps")
    assert code == 1
    assert "has output 'by_class' sequence(map(int64, float32 [])) that the record does not " \
           "declare; add {name: by_class, type: sequence, element: {type: map, key_dtype: " \
           "int64, value: {dtype: float32, shape: []}}}" in out


# -- what onnxruntime cannot run -----------------------------------------------------------


def test_a_runtime_limitation_is_reported_as_such(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    lstm = onnx_model(
        [helper.make_node("LSTM", ["X", "W", "R"], ["Y"], hidden_size=2, layout=1)],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in
         (("X", [1, 1, 2]), ("W", [1, 8, 2]), ("R", [1, 8, 2]))],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, None, None, None])],
        opset=14)
    ones = {n: np.ones(s, np.float32) for n, s in (("X", (1, 1, 2)), ("W", (1, 8, 2)),
                                                   ("R", (1, 8, 2)))}
    model_package(root, "lstm-layout", lstm,
                  [Port({"name": n, "dtype": "float32", "shape": list(v.shape)}, [v])
                   for n, v in ones.items()],
                  [Port({"name": "Y", "dtype": "float32", "shape": ["a", "b", "c", "d"]},
                        [np.zeros((1, 1, 1, 2), np.float32)])])
    cast = onnx_model([helper.make_node("Cast", ["x"], ["y"], to=TensorProto.BFLOAT16)],
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                      [helper.make_tensor_value_info("y", TensorProto.BFLOAT16, [2])])
    model_package(root, "bfloat16-output", cast,
                  [Port({"name": "x", "dtype": "float32", "shape": [2]},
                        [np.ones(2, np.float32)])],
                  [Port({"name": "y", "dtype": "bfloat16", "shape": [2]},
                        [np.ones(2, np.float32).astype(
                            helper.tensor_dtype_to_np_dtype(TensorProto.BFLOAT16))])])
    code, out = parity(root, "models/lstm-layout", "models/bfloat16-output")
    assert code == 1
    import onnxruntime

    lines = [line for line in out.splitlines() if "[parity-runtime-limitation]" in line]
    assert len(lines) == 2, out
    lstm_line = next(line for line in lines if "lstm-layout" in line)
    assert f"onnxruntime {onnxruntime.__version__} cannot run this model" in lstm_line
    assert "Batchwise recurrent operations (layout == 1) are not supported" in lstm_line
    assert "limitation of the runtime, not a parity failure" in lstm_line
    assert "/onnxruntime_src/" not in lstm_line
    cast_line = next(line for line in lines if "bfloat16-output" in line)
    assert "bfloat16" in cast_line
    assert "models/lstm-layout: not runnable by onnxruntime" in out
    assert "[parity]" not in out  # not a mismatch
