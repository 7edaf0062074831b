"""The record describes every ONNX type: the schema's dtype list is ONNX's own, sequences, maps
and optionals validate, and the example scikit-learn package is what its script makes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import errors_for, minimal_records, write_catalogue
from onnx import TensorProto
from parity_helpers import REPO

from catalogue.load.onnx_values import dtype_names

SKLEARN = "models/iris-logistic-regression-sklearn"


def test_the_schema_dtypes_are_onnx_element_types() -> None:
    schema = json.loads((REPO / "schemas" / "defs.schema.json").read_text())
    names = schema["$defs"]["dtype"]["enum"]
    assert names == [dtype_names()[number] for number in sorted(dtype_names())]
    assert len(names) == len(TensorProto.DataType.keys()) - 1  # every type but UNDEFINED
    assert {"uint32", "uint64", "float16", "bfloat16", "float8e4m3fn", "int4", "uint4",
            "string", "bool"} <= set(names)


def _model(root: Path, **changes: Any) -> Path:
    records = minimal_records()
    records["models/test-model"].update(changes)
    return write_catalogue(root, dict(records))


ZIPMAP = {"name": "probabilities", "type": "sequence", "element": {
    "type": "map", "key_dtype": "string", "value": {"dtype": "float32"}}}


@pytest.mark.parametrize("entry", [
    {"name": "x", "dtype": "uint64", "shape": ["batch", 3]},
    {"name": "x", "dtype": "float8e5m2", "shape": [2]},
    ZIPMAP,
    {"name": "maybe", "type": "optional", "element": {"dtype": "float32", "shape": [2]}},
    {"name": "items", "type": "sequence", "element": {"type": "sequence",
                                                      "element": {"dtype": "string"}}},
    {"name": "x", "dtype": "float32", "shape": ["batch", 2], "unit": "cm",
     "value_range": [0, 10], "features": [
         {"name": "length", "unit": "cm", "value_range": [0, 10], "description": "Length"},
         {"name": "width"}]},
])
def test_value_descriptions_validate(tmp_path: Path, entry: dict[str, Any]) -> None:
    assert errors_for(_model(tmp_path, output_schema=[entry])) == []


@pytest.mark.parametrize(("entry", "words"), [
    ({"name": "s", "type": "sequence"}, "element"),
    ({"name": "m", "type": "map", "key_dtype": "float32", "value": {"dtype": "float32"}},
     "key_dtype"),
    ({"name": "x", "dtype": "float32"}, "shape"),
    ({"name": "x", "dtype": "float32", "shape": [2], "element": {"dtype": "float32"}},
     "element"),
    ({"name": "x", "dtype": "float128", "shape": [2]}, "dtype"),
])
def test_broken_value_descriptions_are_refused(tmp_path: Path, entry: dict[str, Any],
                                               words: str) -> None:
    errors = errors_for(_model(tmp_path, output_schema=[entry]))
    assert errors and all(f.rule == "schema" for f in errors), errors
    assert any(words in f.message for f in errors), [f.message for f in errors]


def test_features_must_match_the_last_axis(tmp_path: Path) -> None:
    root = _model(tmp_path, input_schema=[{"name": "x", "dtype": "float32",
                                           "shape": ["batch", 3],
                                           "features": [{"name": "a"}, {"name": "b"}]}])
    (finding,) = errors_for(root)
    assert finding.field == "input_schema[0].features"
    assert "2 feature(s) described, but the last axis of shape [batch, 3] has 3" \
        in finding.message


def test_the_sklearn_package_is_what_its_script_makes() -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("skl2onnx")
    spec = importlib.util.spec_from_file_location(
        "build_iris_sklearn", REPO / "scripts" / "build_iris_sklearn_package.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.differences(REPO / SKLEARN) == []
    _, labels, names = build.data()
    csv_rows = (REPO / "datasets/iris-flower-measurements/iris.csv").read_text().splitlines()
    assert len(csv_rows) == len(labels) + 1 and names == ["setosa", "versicolor", "virginica"]
    report = json.loads((REPO / SKLEARN / "parity-report.json").read_text())
    assert report["status"] == "passed"
    outputs = {o["name"]: o for o in report["runs"][0]["outputs"]}
    assert outputs["output_label"]["comparison"] == "exact"
    assert outputs["output_probability"]["values"] == 90  # 30 flowers x 3 classes
