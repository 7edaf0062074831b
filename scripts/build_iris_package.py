"""Train, export and package the Iris softmax classifier (models/iris-softmax-classifier).

Reads datasets/iris-flower-measurements/iris.csv, trains a softmax regression by full-batch
gradient descent in NumPy, exports it to ONNX with onnx.helper, and writes the package files:
model.onnx, weights.npz, labels.json, samples.npz and test_data_set_0/ (inputs and the
reference outputs of the NumPy implementation, for ``omh parity``).

The files come out the same, byte for byte, on every run: no randomness (the split is every
fifth row, the weights start at zero), no timestamps (.npz members carry a fixed date), and
every sum is taken in a fixed order (``math.fsum``, or element-wise NumPy operations, which
IEEE 754 rounds the same way everywhere); ``math.exp`` stands in for ``np.exp``, whose SIMD
variants differ in the last bit from machine to machine. No network access.

    python scripts/build_iris_package.py            # write the package
    python scripts/build_iris_package.py --check    # exit 1 if the committed files differ
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
DATA = Path("datasets/iris-flower-measurements/iris.csv")
PACKAGE = Path("models/iris-softmax-classifier")
FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
CLASSES = ("setosa", "versicolor", "virginica")
LEARNING_RATE = 0.5
ITERATIONS = 1000
L2 = 1e-3
OPSET = 17
IR_VERSION = 8
TEST_EVERY = 5
"""Every fifth row (rows 4, 9, 14, ...) is held out: 10 flowers of each species."""
ZOO_ROWS = (0, 1, 50, 51, 100, 101)
"""The flowers in test_data_set_0: the first two of each species."""
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
PACKAGE_FILES = ("model.onnx", "weights.npz", "labels.json", "samples.npz",
                 "test_data_set_0/input_0.pb", "test_data_set_0/output_0.pb",
                 "test_data_set_0/output_1.pb", "test_data_set_0/output_2.pb")

F64 = npt.NDArray[np.float64]


class Dataset(NamedTuple):
    features: F64
    labels: npt.NDArray[np.int64]


class Model(NamedTuple):
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    mean: npt.NDArray[np.float32]
    std: npt.NDArray[np.float32]


# -- data ----------------------------------------------------------------------------------


def read_iris(path: Path) -> Dataset:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    features = np.array([[float(row[f]) for f in FEATURES] for row in rows], dtype=np.float64)
    labels = np.array([CLASSES.index(row["species"]) for row in rows], dtype=np.int64)
    return Dataset(features, labels)


def split(data: Dataset) -> tuple[Dataset, Dataset]:
    held_out = np.arange(len(data.labels)) % TEST_EVERY == TEST_EVERY - 1
    return (Dataset(data.features[~held_out], data.labels[~held_out]),
            Dataset(data.features[held_out], data.labels[held_out]))


def column_sum(values: F64) -> F64:
    """Correctly rounded sums of each column: the same bits on every machine."""
    return np.array([math.fsum(values[:, j].tolist()) for j in range(values.shape[1])])


def exp(values: F64) -> F64:
    return np.array([math.exp(v) for v in values.reshape(-1).tolist()]).reshape(values.shape)


def linear(z: F64, weights: F64, bias: F64) -> F64:
    """z @ weights + bias, summing the features in order (no BLAS, whose order varies)."""
    out = np.broadcast_to(bias, (z.shape[0], weights.shape[1])).copy()
    for j in range(z.shape[1]):
        out = out + z[:, j:j + 1] * weights[j:j + 1, :]
    return out


def softmax(logits: F64) -> F64:
    shifted = exp(logits - logits.max(axis=1, keepdims=True))
    totals = np.array([math.fsum(row) for row in shifted.tolist()])
    probabilities: F64 = shifted / totals[:, None]
    return probabilities


# -- training ------------------------------------------------------------------------------


def standardisation(features: F64) -> tuple[F64, F64]:
    count = features.shape[0]
    mean = column_sum(features) / count
    std = np.sqrt(column_sum((features - mean) ** 2) / count)
    return mean, std


def train(data: Dataset) -> tuple[Model, list[float]]:
    """Softmax regression on standardised features, full-batch gradient descent from zero."""
    mean, std = standardisation(data.features)
    z = (data.features - mean) / std
    count, classes = z.shape[0], len(CLASSES)
    onehot = np.eye(classes)[data.labels]
    weights = np.zeros((z.shape[1], classes))
    bias = np.zeros(classes)
    losses = []
    for _ in range(ITERATIONS):
        probabilities = softmax(linear(z, weights, bias))
        losses.append(cross_entropy(probabilities, data.labels)
                      + L2 / 2 * math.fsum((weights ** 2).reshape(-1).tolist()))
        error = probabilities - onehot
        grad_w = np.array([column_sum(z[:, j:j + 1] * error) for j in range(z.shape[1])])
        grad_w = grad_w / count + L2 * weights
        grad_b = column_sum(error) / count
        weights = weights - LEARNING_RATE * grad_w
        bias = bias - LEARNING_RATE * grad_b
    model = Model(weights.astype(np.float32), bias.astype(np.float32),
                  mean.astype(np.float32), std.astype(np.float32))
    return model, losses


def cross_entropy(probabilities: F64, labels: npt.NDArray[np.int64]) -> float:
    picked = probabilities[np.arange(len(labels)), labels]
    return -math.fsum(math.log(p) for p in picked.tolist()) / len(labels)


# -- the framework-native forward pass (the reference for parity) -------------------------


def forward(model: Model, features: npt.NDArray[np.float32]) -> dict[str, Any]:
    """The NumPy implementation of the exported model, in float64 from its float32
    parameters: the reference outputs onnxruntime is compared with."""
    z = (features.astype(np.float64) - model.mean.astype(np.float64)) / model.std.astype(
        np.float64)
    logits = linear(z, model.weights.astype(np.float64), model.bias.astype(np.float64))
    return {
        "logits": logits.astype(np.float32),
        "probabilities": softmax(logits).astype(np.float32),
        "class_index": np.argmax(logits, axis=1).astype(np.int64),
    }


def accuracy(model: Model, data: Dataset) -> float:
    predicted = forward(model, data.features.astype(np.float32))["class_index"]
    return float(np.mean(predicted == data.labels))


# -- export --------------------------------------------------------------------------------


def onnx_model(model: Model) -> onnx.ModelProto:
    def constant(name: str, value: npt.NDArray[np.float32]) -> TensorProto:
        return numpy_helper.from_array(value, name)

    batch_input = helper.make_tensor_value_info("measurements", TensorProto.FLOAT, ["batch", 4])
    outputs = [
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3]),
        helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3]),
        helper.make_tensor_value_info("class_index", TensorProto.INT64, ["batch"]),
    ]
    nodes = [
        helper.make_node("Sub", ["measurements", "feature_mean"], ["centred"], name="centre"),
        helper.make_node("Div", ["centred", "feature_std"], ["standardised"], name="scale"),
        helper.make_node("MatMul", ["standardised", "weights"], ["scores"], name="project"),
        helper.make_node("Add", ["scores", "bias"], ["logits"], name="shift"),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=-1),
        helper.make_node("ArgMax", ["logits"], ["class_index"], name="predict", axis=1,
                         keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "iris_softmax_classifier", [batch_input], outputs,
        initializer=[constant("feature_mean", model.mean), constant("feature_std", model.std),
                     constant("weights", model.weights), constant("bias", model.bias)])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="omh scripts/build_iris_package.py",
                              producer_version="1.0.0", model_version=1,
                              doc_string="Softmax regression on the four Iris measurements (cm); "
                                         "classes: " + ", ".join(CLASSES))
    proto.ir_version = IR_VERSION
    for key, value in (("class_labels", json.dumps(list(CLASSES))),
                       ("input_units", "cm")):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(proto, full_check=True)
    return proto


def npz_bytes(arrays: dict[str, npt.NDArray[Any]]) -> bytes:
    """An .npz without timestamps (numpy.savez stamps each member with the current time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def package_files(root: Path) -> tuple[dict[str, bytes], dict[str, float]]:
    """Every generated file of the package, by name, and the figures for the records."""
    data = read_iris(root / DATA)
    training, test = split(data)
    model, losses = train(training)
    test_inputs = test.features.astype(np.float32)
    zoo_inputs = data.features[list(ZOO_ROWS)].astype(np.float32)
    zoo_outputs = forward(model, zoo_inputs)
    files = {
        "model.onnx": onnx_model(model).SerializeToString(deterministic=True),
        "weights.npz": npz_bytes({"weights": model.weights, "bias": model.bias,
                                  "feature_mean": model.mean, "feature_std": model.std}),
        "labels.json": (json.dumps(list(CLASSES)) + "\n").encode(),
        "samples.npz": npz_bytes({"measurements": test_inputs, **forward(model, test_inputs)}),
        "test_data_set_0/input_0.pb": numpy_helper.from_array(
            zoo_inputs, "measurements").SerializeToString(deterministic=True),
    }
    for index, name in enumerate(("logits", "probabilities", "class_index")):
        files[f"test_data_set_0/output_{index}.pb"] = numpy_helper.from_array(
            zoo_outputs[name], name).SerializeToString(deterministic=True)
    figures = {"train_accuracy": accuracy(model, training), "test_accuracy": accuracy(model, test),
               "final_training_loss": losses[-1], "train_rows": float(len(training.labels)),
               "test_rows": float(len(test.labels))}
    return files, figures


# -- command line --------------------------------------------------------------------------


def write(files: dict[str, bytes], folder: Path) -> None:
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def differences(files: dict[str, bytes], folder: Path) -> list[str]:
    found = []
    for name, content in files.items():
        path = folder / name
        if not path.is_file():
            found.append(f"{name}: missing")
        elif path.read_bytes() != content:
            found.append(f"{name}: differs from a fresh build")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the catalogue (default: this "
                        "repository)")
    parser.add_argument("--check", action="store_true", help="compare the committed package "
                        "with a fresh build instead of writing it")
    parser.add_argument("--out", type=Path, help="write the files to this folder instead")
    args = parser.parse_args(argv)
    files, figures = package_files(args.root)
    assert tuple(files) == PACKAGE_FILES
    if args.check:
        problems = differences(files, args.root / PACKAGE)
        for problem in problems:
            print(f"{PACKAGE}/{problem}", file=sys.stderr)
        return 1 if problems else 0
    folder = args.out or args.root / PACKAGE
    write(files, folder)
    for name, value in figures.items():
        print(f"{name}: {value:.6g}")
    print(f"wrote {len(files)} files to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
