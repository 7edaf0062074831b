"""Values (tensors, sequences, maps, optionals) as plain files, to hand them to the child
process that runs onnxruntime and back: ``values.json`` holds the structure, ``arrays.npz``
(no pickle) the arrays. NumPy and the standard library only, so the child starts fast.

Structure: ``{"tensor": "a0"}``, ``{"sequence": [...]}``, ``{"map": {"keys": "a1", "values":
[...]}}``, ``{"none": true}`` (an empty optional); a present optional is its element.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalogue.load.samples import Budget, read_npz

STRUCTURE = "values.json"
ARRAYS = "arrays.npz"


def write_values(folder: Path, values: dict[str, Any]) -> None:
    import numpy as np

    arrays: dict[str, Any] = {}

    def leaf(value: Any) -> str:
        array = np.asarray(value)
        if array.dtype.kind == "O":  # onnxruntime's strings
            array = np.array([str(v) for v in array.reshape(-1).tolist()],
                             dtype=str).reshape(array.shape)
        key = f"a{len(arrays)}"
        arrays[key] = array
        return key

    def encode(value: Any) -> dict[str, Any]:
        if value is None:
            return {"none": True}
        if isinstance(value, dict):
            keys = list(value)
            return {"map": {"keys": leaf(np.array(keys)), "values": [encode(value[k])
                                                                     for k in keys]}}
        if isinstance(value, list | tuple):
            return {"sequence": [encode(v) for v in value]}
        return {"tensor": leaf(value)}

    folder.mkdir(parents=True, exist_ok=True)
    structure = {name: encode(value) for name, value in values.items()}
    np.savez(folder / ARRAYS, **arrays)
    (folder / STRUCTURE).write_text(json.dumps(structure), encoding="utf-8")


def read_values(folder: Path, budget: Budget) -> dict[str, Any]:
    """What ``write_values`` wrote; arrays are read within ``budget``."""
    structure = json.loads((folder / STRUCTURE).read_text(encoding="utf-8"))
    arrays = read_npz(folder / ARRAYS, _leaf_names(structure), budget)

    def decode(node: dict[str, Any]) -> Any:
        if "none" in node:
            return None
        if "tensor" in node:
            return arrays[node["tensor"]]
        if "sequence" in node:
            return [decode(item) for item in node["sequence"]]
        keys = arrays[node["map"]["keys"]].tolist()
        return {key: decode(item) for key, item in zip(keys, node["map"]["values"],
                                                        strict=True)}

    return {name: decode(node) for name, node in structure.items()}


def _leaf_names(node: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(node, dict):
        for key, item in node.items():
            if key in ("tensor", "keys") and isinstance(item, str):
                names.add(item)
            else:
                names |= _leaf_names(item)
    elif isinstance(node, list):
        for item in node:
            names |= _leaf_names(item)
    return names
