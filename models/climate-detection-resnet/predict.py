"""Classify climate-change composite tiles with a Climate Detection ResNet (ONNX).

Each tile is a 224 x 224 change composite with three channels, in this order:
dNDVI, dNDWI, dNDSI (2023 summer median minus 2017 summer median). Tiles are stored as
8-bit PNG with pixel = round((d + 1) * 127.5), d clipped to [-1, 1]; a .npy file holding the
same uint8 array (height, width, 3) is accepted too. The model sees d again: pixel / 127.5 - 1.

Usage:
    python predict.py --model climate-detection-resnet50.onnx --labels labels.json tile.png [...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort

TILE_SIZE = 224


def load_tile(path: Path) -> np.ndarray:
    """The tile as uint8 (224, 224, 3)."""
    if path.suffix.lower() == ".npy":
        pixels = np.load(path)
    else:
        from PIL import Image  # only needed for PNG tiles

        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"))
    if pixels.shape != (TILE_SIZE, TILE_SIZE, 3) or pixels.dtype != np.uint8:
        raise SystemExit(f"{path}: expected a uint8 tile of shape (224, 224, 3), "
                         f"found {pixels.dtype} {pixels.shape}")
    return pixels


def to_input(pixels: np.ndarray) -> np.ndarray:
    """uint8 HWC composite -> float32 CHW index differences in [-1, 1]."""
    return (pixels.astype(np.float32) / 127.5 - 1.0).transpose(2, 0, 1)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path, help="the .onnx file")
    parser.add_argument("--labels", required=True, type=Path, help="labels.json (class names)")
    parser.add_argument("--top", type=int, default=3, help="how many classes to print per tile")
    parser.add_argument("tiles", nargs="+", type=Path, help="PNG or .npy change composites")
    args = parser.parse_args()

    labels = json.loads(args.labels.read_text(encoding="utf-8"))
    session = ort.InferenceSession(str(args.model), providers=["CPUExecutionProvider"])
    batch = np.stack([to_input(load_tile(path)) for path in args.tiles])
    (logits,) = session.run(["logits"], {"input": batch})
    if logits.shape[-1] != len(labels):
        raise SystemExit(f"the model has {logits.shape[-1]} outputs but {args.labels} names "
                         f"{len(labels)} classes")
    for path, probabilities in zip(args.tiles, softmax(logits), strict=True):
        ranked = np.argsort(probabilities)[::-1][: args.top]
        best = ", ".join(f"{labels[i]} {probabilities[i]:.3f}" for i in ranked)
        print(f"{path}\t{best}")


if __name__ == "__main__":
    main()
