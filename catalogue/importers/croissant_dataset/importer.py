"""A Croissant description as a dataset record (nothing is written)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalogue.importers.croissant_dataset.mapping import (
    artefacts,
    columns,
    dataset_format,
    licence,
    text_of,
)
from catalogue.importers.croissant_dataset.source import read_croissant
from catalogue.importers.result import Imported, ImportRefused, people_fields
from catalogue.load.store import RecordStore
from catalogue.model.ids import is_slug, suggest_slug
from catalogue.model.kinds import KINDS
from catalogue.model.placeholders import placeholder

TOOL = "omh import-croissant"
RAI_TEXTS = (("data_biases", "Biases"), ("data_limitations", "Limitations"),
             ("data_social_impact", "Social impact"),
             ("personal_sensitive_information", "Personal and sensitive information"))
TEXT_MAX = 20000


def _researchers(store: RecordStore) -> dict[str, str]:
    """Full name (lower case) and ORCID URL -> researcher id."""
    found: dict[str, str] = {}
    for record_id in store.ids("researcher"):
        record = store.get(record_id)
        if record is None:
            continue
        data = record.data
        name = " ".join(str(data.get(k, "")) for k in ("first_name", "last_name")).strip()
        if name:
            found.setdefault(name.lower(), record_id)
        if data.get("orcid_id"):
            found.setdefault(f"https://orcid.org/{data['orcid_id']}", record_id)
    return found


def _creators(creators: Iterable[Any], store: RecordStore, notes: list[str]) -> list[str]:
    known = _researchers(store)
    matched: list[str] = []
    for creator in creators:
        name = text_of(getattr(creator, "name", None)) or ""
        url = str(getattr(creator, "url", None) or "")
        found = known.get(url) or known.get(name.lower())
        if found:
            matched.append(found)
        elif name:
            notes.append(f"created_by: {name} is not in the catalogue; add them (omh new "
                         "researcher SLUG) and list them")
    return list(dict.fromkeys(matched))


def _day(value: Any) -> str | None:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    return str(value)[:10] if value else None


def import_croissant(path: Path, store: RecordStore, *, slug: str | None = None,
                     created_by: Iterable[str] = (), organization: str | None = None,
                     copy_files: bool = False,
                     today: datetime.date | None = None) -> Imported:
    croissant = read_croissant(path)
    metadata = croissant.metadata
    notes = list(croissant.warnings)
    label = path.name
    name = text_of(metadata.name) or path.stem
    slug = slug or suggest_slug(name)
    if not is_slug(slug):
        raise ImportRefused(f"--slug {slug}: not a valid slug; use lower-case letters, digits "
                            f"and single hyphens, e.g. '{suggest_slug(slug)}'")
    record: dict[str, Any] = {"kind": "dataset", "name": name[:300]}
    record["version"] = str(metadata.version or "1.0.0")
    if not metadata.version:
        notes.append("version: the Croissant file gives none; 1.0.0 written")
    description = text_of(metadata.description)
    record["description"] = (description or placeholder(
        "what the data are, how many records, what they are for"))[:TEXT_MAX]
    if not description:
        notes.append("description: the Croissant file gives none; write one (50 to 5000 "
                     "characters)")
    day = _day(metadata.date_published) or _day(metadata.date_created)
    record["created_at"] = day or (today or datetime.date.today()).isoformat()
    if not day:
        notes.append(f"created_at: {record['created_at']} is the day of the import; write the "
                     "day the data were published")
    people = list(created_by) or _creators(metadata.creators, store, notes)
    record.update(people_fields(people, organization))
    record["license"] = licence(metadata.license, notes) or placeholder(
        "SPDX licence id; the Croissant file states none the import recognises")
    record["access_rights"] = "public"
    if metadata.keywords:
        record["subjects"] = list(dict.fromkeys(str(k)[:300] for k in metadata.keywords
                                                if str(k).strip()))
    if metadata.cite_as:
        record["related_publications"] = [{"citation": str(metadata.cite_as)[:TEXT_MAX]}]
    pointers, local, media = artefacts(metadata.distribution, path.parent, label,
                                         croissant.text, notes)
    record["format"] = dataset_format(media) or placeholder(
        "format: csv, parquet, json, jsonl, arrow, image-folder, text, ...")
    record["privacy_level"] = "public"
    notes.append("privacy_level: public (the data are published); check it")
    found_columns, splits = columns(metadata.record_sets, notes)
    if found_columns:
        record["columns"] = found_columns
        record["num_features"] = sum(1 for c in found_columns if c["role"] == "feature")
    if splits:
        record["splits"] = [{"name": s[:100]} for s in splits]
    collection = text_of(metadata.data_collection)
    if collection:
        record["collection_method"] = collection[:TEXT_MAX]
    rai = [f"{title}: {text}" for key, title in RAI_TEXTS
           if (text := text_of(getattr(metadata, key, None)))]
    if rai:
        record["ethical_considerations"] = "\n\n".join(rai)[:TEXT_MAX]
    if metadata.url:
        record["source"] = f"Published at {metadata.url}"
    if pointers:
        record["artefacts"] = pointers
    files: dict[str, bytes] = {}
    if local and copy_files:
        files = {relative: source.read_bytes() for relative, source in local.items()}
    elif local:
        notes.append(f"artefacts: {', '.join(local)} found next to {label}; copy them into the "
                     "record's folder (--copy-files) or publish them and give their url")
    return Imported(KINDS["dataset"], slug, record, label, TOOL, files=files, notes=notes)
