"""The datasets MLflow's dataset tracking logged for a run (``mlflow.log_input``) as the
experiment's ``datasets``: each linked to the catalogue's dataset record when its source is a
file of that record or one of its artefact URLs, with the role from MLflow's context and the
split from an input tag ``split``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalogue.load.store import RecordStore

ROLES = {"training": "training", "train": "training", "validation": "validation",
         "val": "validation", "eval": "evaluation", "evaluation": "evaluation",
         "test": "test", "testing": "test", "calibration": "calibration",
         "fine-tuning": "fine-tuning", "finetuning": "fine-tuning",
         "pretraining": "pretraining", "pre-training": "pretraining"}
SPLIT_OF_ROLE = {"training": "train", "validation": "validation", "test": "test"}
CONTEXT_TAG = "mlflow.data.context"


def _source_uri(source: str) -> str | None:
    try:
        data = json.loads(source)
    except (TypeError, ValueError):
        return source or None
    if isinstance(data, dict):
        for key in ("uri", "url", "path", "source"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return None


def _artefact_urls(store: RecordStore) -> dict[str, str]:
    urls: dict[str, str] = {}
    for record_id in store.ids("dataset"):
        record = store.get(record_id)
        for _, entry in record.values_at(("artefacts", "*")) if record is not None else ():
            if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                urls.setdefault(entry["url"], record_id)
    return urls


def catalogue_dataset(uri: str | None, name: str, store: RecordStore) -> str | None:
    """The dataset record a logged dataset is: a file inside ``datasets/<slug>/``, one of a
    record's artefact URLs, or a dataset whose slug is the logged name."""
    if uri:
        location = uri.removeprefix("file://")
        path = Path(location)
        try:
            parts = (path.resolve().relative_to(store.root.resolve()).parts if path.is_absolute()
                     else path.parts)
        except ValueError:
            parts = ()
        if len(parts) >= 2 and store.exists(f"{parts[0]}/{parts[1]}") \
                and parts[0] == "datasets":
            return f"{parts[0]}/{parts[1]}"
        found = _artefact_urls(store).get(uri)
        if found:
            return found
    candidate = f"datasets/{name}"
    return candidate if store.exists(candidate) else None


def dataset_entries(inputs: Any, store: RecordStore, notes: list[str]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for item in getattr(inputs, "dataset_inputs", None) or []:
        dataset = item.dataset
        tags = {t.key: t.value for t in item.tags or []}
        context = tags.get(CONTEXT_TAG, "")
        role = ROLES.get(str(context).lower())
        uri = _source_uri(dataset.source)
        record_id = catalogue_dataset(uri, dataset.name, store)
        described = f"{dataset.name} (digest {dataset.digest}, source {uri or dataset.source})"
        if record_id is None:
            notes.append(f"datasets: {described} is not in the catalogue; add it (omh "
                         "import-croissant, omh import-hf or omh new dataset) and list it with "
                         "its role")
            continue
        if role is None:
            notes.append(f"datasets: {described}: MLflow's context {context!r} is not a role; "
                         "written as training, check it")
            role = "training"
        entry: dict[str, Any] = {"dataset": record_id, "role": role}
        split = tags.get("split") or SPLIT_OF_ROLE.get(role)
        if split:
            entry["split"] = split
        try:
            profile = json.loads(dataset.profile) if dataset.profile else {}
        except ValueError:
            profile = {}
        rows = profile.get("num_rows") if isinstance(profile, dict) else None
        if isinstance(rows, int) and not isinstance(rows, bool) and rows >= 0:
            entry["num_records"] = rows
        entries.append(entry)
    return entries


def merge_datasets(existing: list[Any], imported: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The logged datasets, keeping what a person added to the same (dataset, role, split)
    (preprocessing, split percentage), and the hand-written entries the run did not log."""
    def key(entry: dict[str, Any]) -> tuple[Any, ...]:
        return entry.get("dataset"), entry.get("role"), entry.get("split")

    before = {key(e): e for e in existing if isinstance(e, dict)}
    merged: list[dict[str, Any]] = []
    for entry in imported:
        old = before.pop(key(entry), None)
        merged.append({**old, **entry} if isinstance(old, dict) else entry)
    merged.extend(before.values())
    return merged
