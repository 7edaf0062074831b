"""The header of a ``.safetensors`` file, read with the ``safetensors`` library: the tensors'
names, dtypes and shapes, and the free-form metadata (``__metadata__``). Nothing but the header
is read, and the library checks that it describes the file: a file that is not safetensors (a
renamed text file, a truncated download) is refused with the library's reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

LABEL_KEYS = ("class_names", "labels", "classes", "id2label")


class TensorEntry(NamedTuple):
    name: str
    dtype: str
    shape: tuple[int, ...]


class SafetensorsHeader(NamedTuple):
    tensors: tuple[TensorEntry, ...]
    metadata: dict[str, str]

    @property
    def parameters(self) -> int:
        total = 0
        for tensor in self.tensors:
            count = 1
            for dim in tensor.shape:
                count *= dim
            total += count
        return total


class NotSafetensors(Exception):
    """The file is not a readable safetensors file."""


def read_header(path: Path) -> SafetensorsHeader:
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="numpy") as handle:
            metadata = dict(handle.metadata() or {})
            tensors = []
            for name in handle.keys():  # noqa: SIM118 (safe_open is not iterable)
                view = handle.get_slice(name)
                tensors.append(TensorEntry(name, str(view.get_dtype()),
                                           tuple(int(d) for d in view.get_shape())))
    except (SafetensorError, OSError, ValueError) as exc:
        raise NotSafetensors(str(exc).strip() or type(exc).__name__) from None
    return SafetensorsHeader(tuple(tensors), metadata)


def metadata_labels(metadata: dict[str, str]) -> tuple[str, list[str] | None] | None:
    """(key, class names in order) from the metadata's ``class_names`` (or ``labels``,
    ``classes``, ``id2label``): a JSON list or index-keyed object, or a comma-separated list;
    the names are ``None`` when the value cannot be read as a list. ``None``: no such key."""
    for key in LABEL_KEYS:
        if key not in metadata:
            continue
        text = metadata[key].strip()
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            names = [part.strip() for part in text.split(",") if part.strip()]
            return key, names or None
        if isinstance(value, dict) and all(str(k).isdigit() for k in value):
            ordered = sorted(value.items(), key=lambda kv: int(kv[0]))
            if [int(k) for k, _ in ordered] == list(range(len(ordered))):
                value = [v for _, v in ordered]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return key, list(value)
        return key, None
    return None
