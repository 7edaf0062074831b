"""Classify iris flowers from their four measurements (cm) with model.onnx and onnxruntime.

    python inference.py 5.1 3.5 1.4 0.2                 # one flower, or several groups of four
    python inference.py --csv flowers.csv               # columns sepal_length_cm,
                                                        # sepal_width_cm, petal_length_cm,
                                                        # petal_width_cm

The model standardises the measurements itself: give raw centimetres, in that order.
Prints one line per flower: the predicted species and its probability.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

HERE = Path(__file__).resolve().parent
FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")


def read_csv(path: Path) -> np.ndarray:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return np.array([[float(row[name]) for name in FEATURES] for row in rows], dtype=np.float32)


def classify(measurements: np.ndarray) -> list[tuple[str, float]]:
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(HERE / "model.onnx"), options,
                                   providers=["CPUExecutionProvider"])
    probabilities, class_index = session.run(["probabilities", "class_index"],
                                             {"measurements": measurements})
    return [(labels[int(k)], float(p[int(k)]))
            for k, p in zip(class_index, probabilities, strict=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Classify iris flowers with model.onnx.")
    parser.add_argument("values", nargs="*", type=float, metavar="CM",
                        help="sepal length, sepal width, petal length, petal width (cm), "
                             "four per flower")
    parser.add_argument("--csv", type=Path, help="a CSV file with the four measurement columns")
    args = parser.parse_args(argv)
    if args.csv is not None:
        measurements = read_csv(args.csv)
    elif args.values and len(args.values) % 4 == 0:
        measurements = np.array(args.values, dtype=np.float32).reshape(-1, 4)
    else:
        parser.error("give four measurements per flower, or --csv FILE")
    for species, probability in classify(measurements):
        print(f"{species}\t{probability:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
