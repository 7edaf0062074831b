"""Train, export and package the scikit-learn Iris classifier
(models/iris-logistic-regression-sklearn).

Loads the Iris data that ships with scikit-learn (``sklearn.datasets.load_iris``: the same 150
flowers as datasets/iris-flower-measurements/iris.csv), holds out every fifth row, fits a
pipeline of ``StandardScaler`` and ``LogisticRegression`` on the string class names, exports it
with skl2onnx as it comes (its default ZipMap output: ``output_label``, a string tensor, and
``output_probability``, a sequence of maps from class name to probability), and writes the
package files: model.onnx, labels.json and test_data_set_0/ (the 30 held-out flowers and
scikit-learn's own predictions for them, as ONNX protos: a TensorProto of strings and a
SequenceProto of MapProto, for ``omh parity``).

No randomness (the split is fixed, lbfgs starts from zero); the protos are serialised
deterministically. Linear-algebra libraries may round the last bit differently on other
machines, so ``--check`` compares predictions and probabilities (to 1e-6), not bytes. No
network access.

    python scripts/build_iris_sklearn_package.py            # write the package
    python scripts/build_iris_sklearn_package.py --check    # exit 1 if the committed package
                                                            # no longer matches a fresh fit
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path("models/iris-logistic-regression-sklearn")
TEST_EVERY = 5
"""Every fifth row (rows 4, 9, 14, ...) is held out, as for the NumPy Iris package."""
OPSETS = {"": 17, "ai.onnx.ml": 3}
INPUT = "measurements"
PACKAGE_FILES = ("model.onnx", "labels.json", "test_data_set_0/input_0.pb",
                 "test_data_set_0/output_0.pb", "test_data_set_0/output_1.pb")


def data() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.str_], list[str]]:
    from sklearn.datasets import load_iris

    iris = load_iris()
    names = [str(n) for n in iris.target_names]
    labels = np.array([names[t] for t in iris.target], dtype=str)
    return iris.data.astype(np.float32), labels, names


def split(count: int) -> npt.NDArray[np.bool_]:
    """True for the held-out rows."""
    return np.asarray(np.arange(count) % TEST_EVERY == TEST_EVERY - 1, dtype=np.bool_)


def fit() -> tuple[Any, npt.NDArray[np.float32], npt.NDArray[np.str_], dict[str, float]]:
    """The fitted pipeline, the held-out inputs and labels, and the figures for the records."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    features, labels, _ = data()
    held_out = split(len(labels))
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    pipeline.fit(features[~held_out], labels[~held_out])
    figures = {
        "train_accuracy": float(pipeline.score(features[~held_out], labels[~held_out])),
        "test_accuracy": float(pipeline.score(features[held_out], labels[held_out])),
        "train_rows": float(np.count_nonzero(~held_out)),
        "test_rows": float(np.count_nonzero(held_out)),
    }
    return pipeline, features[held_out], labels[held_out], figures


def reference_outputs(pipeline: Any, inputs: npt.NDArray[np.float32]
                      ) -> tuple[npt.NDArray[np.str_], list[dict[str, np.float32]]]:
    """scikit-learn's own predictions: the reference onnxruntime is compared with."""
    predicted = pipeline.predict(inputs).astype(str)
    probabilities = pipeline.predict_proba(inputs).astype(np.float32)
    classes = [str(c) for c in pipeline.classes_]
    maps = [{name: np.float32(row[i]) for i, name in enumerate(classes)}
            for row in probabilities]
    return predicted, maps


def export(pipeline: Any) -> Any:
    import onnx
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType

    model = to_onnx(pipeline, initial_types=[(INPUT, FloatTensorType([None, 4]))],
                    target_opset=OPSETS)
    model.doc_string = ("StandardScaler and LogisticRegression on the four Iris measurements "
                        "(cm), exported by skl2onnx with its default ZipMap output")
    onnx.checker.check_model(model, full_check=True)
    return model


def sequence_of_maps(maps: list[dict[str, np.float32]], name: str) -> Any:
    """A SequenceProto of MapProto (string keys, float32 scalar values), made with
    onnx.helper (numpy_helper.from_dict takes a str key for a dtype name)."""
    from onnx import SequenceProto, TensorProto, helper, numpy_helper

    def one(mapping: dict[str, np.float32]) -> Any:
        values = [numpy_helper.from_array(np.array(v, dtype=np.float32)) for v in mapping.values()]
        return helper.make_map("", TensorProto.STRING, [k.encode() for k in mapping],
                               helper.make_sequence("", SequenceProto.TENSOR, values))

    return helper.make_sequence(name, SequenceProto.MAP, [one(m) for m in maps])


def package_files() -> tuple[dict[str, bytes], dict[str, float], Any]:
    from onnx import numpy_helper

    pipeline, inputs, _, figures = fit()
    predicted, maps = reference_outputs(pipeline, inputs)
    classes = [str(c) for c in pipeline.classes_]
    files = {
        "model.onnx": export(pipeline).SerializeToString(deterministic=True),
        "labels.json": (json.dumps(classes) + "\n").encode(),
        "test_data_set_0/input_0.pb": numpy_helper.from_array(
            inputs, INPUT).SerializeToString(deterministic=True),
        "test_data_set_0/output_0.pb": numpy_helper.from_array(
            predicted.astype(object), "output_label").SerializeToString(deterministic=True),
        "test_data_set_0/output_1.pb": sequence_of_maps(
            maps, "output_probability").SerializeToString(deterministic=True),
    }
    return files, figures, pipeline


def differences(folder: Path) -> list[str]:
    """How the committed package differs from a fresh fit: labels and predictions must be the
    same, probabilities within 1e-6 (BLAS may round the last bits differently)."""
    import onnx
    from onnx import numpy_helper

    files, _, _ = package_files()
    found = []
    for name in ("labels.json", "test_data_set_0/input_0.pb", "test_data_set_0/output_0.pb"):
        if (folder / name).read_bytes() != files[name]:
            found.append(f"{name}: differs from a fresh build")
    committed = onnx.SequenceProto()
    committed.ParseFromString((folder / "test_data_set_0/output_1.pb").read_bytes())
    fresh = onnx.SequenceProto()
    fresh.ParseFromString(files["test_data_set_0/output_1.pb"])
    for old, new in zip(numpy_helper.to_list(committed), numpy_helper.to_list(fresh),
                        strict=True):
        if old.keys() != new.keys() or any(abs(float(old[k]) - float(new[k])) > 1e-6
                                           for k in old):
            found.append("test_data_set_0/output_1.pb: probabilities differ by more than 1e-6")
            break
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the catalogue (default: this "
                        "repository)")
    parser.add_argument("--check", action="store_true", help="compare the committed package "
                        "with a fresh fit instead of writing it")
    args = parser.parse_args(argv)
    folder = args.root / PACKAGE
    if args.check:
        problems = differences(folder)
        for problem in problems:
            print(f"{PACKAGE}/{problem}", file=sys.stderr)
        return 1 if problems else 0
    files, figures, _ = package_files()
    assert tuple(files) == PACKAGE_FILES
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    for name, value in figures.items():
        print(f"{name}: {value:.6g}")
    print(f"wrote {len(files)} files to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
