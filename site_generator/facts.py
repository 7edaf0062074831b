"""Key facts of a record, derived for people: formats, sizes, places, carbon bands, columns."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, NamedTuple

from catalogue.model.pointers import record_pointers
from catalogue.model.records import Record
from site_generator import formatting
from site_generator.carbon_view import CarbonFigures, Totals

MODEL_FILE_ROLES = frozenset({"onnx", "weights", "checkpoint"})
SUFFIX_FORMATS = {
    ".onnx": "ONNX", ".safetensors": "safetensors", ".pt": "PyTorch", ".pth": "PyTorch",
    ".bin": "binary", ".h5": "HDF5/Keras", ".keras": "Keras", ".npz": "NumPy", ".gguf": "GGUF",
    ".pkl": "pickle", ".pickle": "pickle", ".joblib": "joblib", ".json": "JSON",
    ".tflite": "TFLite", ".pb": "TensorFlow", ".mlmodel": "Core ML", ".ckpt": "checkpoint",
}
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")


def model_formats(record: Record) -> list[str]:
    """The formats the model is published in, from its model files' names."""
    formats: list[str] = []
    for path, pointer, _ in record_pointers(record):
        if pointer is None or path[0] != "artefacts" or pointer.role not in MODEL_FILE_ROLES:
            continue
        name = pointer.name.lower()
        if pointer.role == "onnx":
            found = "ONNX"
        elif name.endswith(ARCHIVE_SUFFIXES):
            found = f"{formatting.label(record.data.get('framework'))} archive"
        else:
            found = SUFFIX_FORMATS.get(PurePosixPath(name).suffix, pointer.media_type or "file")
        if found not in formats:
            formats.append(found)
    return formats


def place(location: Any) -> str:
    """``{"city": "Kajaani", "country": "FI"}`` -> ``Kajaani, FI``."""
    if not isinstance(location, dict):
        return formatting.DASH
    parts = [str(location[k]) for k in ("site", "city", "region", "country")
             if isinstance(location.get(k), str)]
    unique = list(dict.fromkeys(parts))
    return ", ".join(unique) or formatting.DASH


def versioned_title(record: Record) -> str:
    version = record.data.get("version")
    return f"{record.title} v{version}" if isinstance(version, str) else record.title


class Band(NamedTuple):
    name: str
    kg: float
    measured_share: float | None


def band_of(totals: Totals | None, carbon: CarbonFigures) -> Band | None:
    if totals is None or totals.runs == 0:
        return None
    share = (totals.measured_kwh / totals.kwh) if totals.kwh > 0 else None
    return Band(carbon.band(totals.kg), totals.kg, share)


def carbon_totals(record: Record, carbon: CarbonFigures) -> Totals | None:
    """The record's own footprint (see ``CarbonFigures.of_record``)."""
    return carbon.of_record(record.id)


class ColumnGroups(NamedTuple):
    target: list[str]
    categorical: list[str]
    numerical: list[str]
    other: list[str]


def column_groups(record: Record) -> ColumnGroups:
    """A dataset's columns by type, as the prototype shows them (derived from ``columns``)."""
    groups = ColumnGroups([], [], [], [])
    for column in record.mappings("columns"):
        name = str(column.get("name", ""))
        if column.get("role") == "target":
            groups.target.append(name)
        data_type = column.get("data_type")
        if data_type in ("category", "boolean"):
            groups.categorical.append(name)
        elif data_type in ("integer", "float"):
            groups.numerical.append(name)
        else:
            groups.other.append(name)
    return groups


def feature_count(record: Record) -> int | None:
    stated = record.data.get("num_features")
    if isinstance(stated, int) and not isinstance(stated, bool):
        return stated
    features = [c for c in record.mappings("columns") if c.get("role", "feature") == "feature"]
    return len(features) or None
