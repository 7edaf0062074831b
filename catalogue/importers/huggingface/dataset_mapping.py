"""A dataset card's metadata to a dataset record: subjects, format, splits and record counts,
columns from ``dataset_info``, and how the data were collected."""

from __future__ import annotations

import re
from typing import Any

from catalogue.importers.huggingface.card_text import TEXT_LIMIT, clip, sections_text
from catalogue.importers.huggingface.common_fields import OTHER, strings, subjects
from catalogue.importers.huggingface.source import Source
from catalogue.load.schema_check import enum_values
from catalogue.model.card import Card
from catalogue.model.card_sections import DATASET_CARD_SECTIONS
from catalogue.model.placeholders import placeholder

# The schema's dataset formats under their own names, and the Hub's names and file suffixes.
DATASET_FORMATS = {
    **{name: name for name in enum_values("dataset_format") if name != OTHER},
    "txt": "text", "imagefolder": "image-folder", "audiofolder": "audio", "webdataset": OTHER,
    "h5": "hdf5", "nc": "netcdf",
}


def map_dataset(card: Card, data: dict[str, Any], source: Source, record: dict[str, Any],
                notes: list[str]) -> None:
    tags = strings(data.get("tags"))
    found_subjects = subjects([*strings(data.get("task_categories")), *tags])
    if found_subjects:
        record["subjects"] = found_subjects
    record["format"] = _dataset_format(data, tags) or placeholder(
        "format: csv, parquet, json, jsonl, arrow, image-folder, text, ...")
    record["privacy_level"] = "public"
    info = data.get("dataset_info")
    info = info[0] if isinstance(info, list) and info else info
    if isinstance(info, dict):
        splits = [s for s in info.get("splits", []) if isinstance(s, dict)] \
            if isinstance(info.get("splits"), list) else []
        counted = [s for s in splits if isinstance(s.get("num_examples"), int)
                   and isinstance(s.get("name"), str)]
        if counted:
            record["num_records"] = sum(s["num_examples"] for s in counted)
            record["splits"] = [{"name": s["name"], "num_records": s["num_examples"]}
                                for s in counted]
        columns = _columns(info.get("features"), notes)
        if columns:
            record["columns"] = columns
            record["num_features"] = sum(1 for c in columns if c["role"] == "feature")
    collection = sections_text(card, DATASET_CARD_SECTIONS[1], DATASET_CARD_SECTIONS)
    if collection:
        record["collection_method"] = clip(collection, TEXT_LIMIT)
    sources = strings(data.get("source_datasets"))
    if source.repo_id:
        record["source"] = f"Hugging Face Hub: https://huggingface.co/datasets/{source.repo_id}"
    elif sources:
        record["source"] = clip("Derived from " + ", ".join(sources), TEXT_LIMIT)
    notes.append("artefacts: list the data files (hf://datasets/<repo>@<commit>/<file> or "
                 "paths in the folder) with sha256 and size_bytes")


def _dataset_format(data: dict[str, Any], tags: list[str]) -> str | None:
    for tag in tags:
        if tag.lower().startswith("format:"):
            found = DATASET_FORMATS.get(tag.split(":", 1)[1].strip().lower())
            if found:
                return found
    configs = data.get("configs")
    for config in configs if isinstance(configs, list) else []:
        files = config.get("data_files") if isinstance(config, dict) else None
        paths: list[str] = []
        for entry in files if isinstance(files, list) else [files]:
            if isinstance(entry, dict):
                paths += strings(entry.get("path"))
            elif isinstance(entry, str):
                paths.append(entry)
        for path in paths:
            suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
            if suffix in DATASET_FORMATS:
                return DATASET_FORMATS[suffix]
    return None


FEATURE_TYPES = {"string": "string", "large_string": "string", "bool": "boolean",
                 "date32": "date", "date64": "date"}


def _columns(features: object, notes: list[str]) -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = []
    for feature in features if isinstance(features, list) else []:
        if not isinstance(feature, dict) or not isinstance(feature.get("name"), str):
            continue
        name = feature["name"]
        column: dict[str, Any] = {"name": name}
        dtype = feature.get("dtype")
        nested = dtype if isinstance(dtype, dict) else feature
        if isinstance(nested.get("class_label"), dict):
            column["data_type"] = "category"
            names = nested["class_label"].get("names")
            values = list(names.values()) if isinstance(names, dict) else names
            categories = [str(v) for v in values] if isinstance(values, list) else []
            if categories and len(set(categories)) == len(categories):
                column["categories"] = categories
        elif isinstance(dtype, str):
            lowered = dtype.lower()
            column["data_type"] = (
                FEATURE_TYPES.get(lowered)
                or ("integer" if re.match(r"^u?int\d+$", lowered) else None)
                or ("float" if re.match(r"^(float|double|half)\d*$", lowered) else None)
                or ("datetime" if lowered.startswith("timestamp") else None)
                or ("image" if lowered == "image" else None)
                or ("audio" if lowered == "audio" else None))
            if column["data_type"] is None:
                notes.append(f"columns: {name} has type {dtype}; give its data_type")
                column["data_type"] = "binary"
        elif any(k in nested for k in ("sequence", "list", "struct")):
            column["data_type"] = "array"
        else:
            notes.append(f"columns: {name} has no type the import understands; check it")
            column["data_type"] = "binary"
        target = name.lower() in ("label", "labels", "target", "class", "y") or \
            (column["data_type"] == "category" and name.lower().endswith("label"))
        column["role"] = "target" if target else "feature"
        columns.append(column)
    return columns
