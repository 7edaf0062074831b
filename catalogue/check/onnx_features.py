"""What a model record says of its ONNX files that can be checked without them: which artefacts
are ONNX, and whether each tensor entry of ``input_schema`` / ``output_schema`` describes as many
``features`` as its last axis has. Kept apart from ``onnx_package`` so that ``omh validate`` on a
model without ONNX does not load what reads and runs one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from catalogue.model.pointers import Pointer, usable_pointers
from catalogue.model.records import Record
from catalogue.model.yaml_source import FieldPath


class Problem(NamedTuple):
    """Something wrong with the package, located at a record field when there is one."""

    severity: str
    rule: str
    message: str
    field: FieldPath | None = None


def onnx_pointers(record: Record) -> list[Pointer]:
    return [p for p in usable_pointers(record) if p.role == "onnx" or p.suffix == ".onnx"]


def record_tensors(record_data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    """The named tensor entries of ``input_schema`` or ``output_schema``, with their index."""
    value = record_data.get(key)
    if not isinstance(value, list):
        return []
    return [(i, t) for i, t in enumerate(value)
            if isinstance(t, dict) and isinstance(t.get("name"), str)]


def feature_problems(record_data: dict[str, Any]) -> Iterator[Problem]:
    """An entry's ``features`` describe the last axis, one per position: as many as it has."""
    for key in ("input_schema", "output_schema"):
        for index, entry in record_tensors(record_data, key):
            features, shape = entry.get("features"), entry.get("shape")
            if not isinstance(features, list) or not isinstance(shape, list):
                continue
            last = shape[-1] if shape else 1
            if isinstance(last, int) and len(features) != last:
                from catalogue.load.onnx_values import format_shape

                yield Problem("error", "onnx-signature", f"field '{key}[{index}].features': "
                              f"{len(features)} feature(s) described, but the last axis of "
                              f"shape {format_shape(shape)} has {last}; describe one feature "
                              "per position, in order", (key, index, "features"))
