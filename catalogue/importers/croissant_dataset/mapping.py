"""Croissant's structure as a dataset record's: record sets and fields as ``columns`` with
types (nested fields as ``parent/child``), split record sets as ``splits``, enumerations as a
column's ``categories``, file objects as ``artefacts``, and the licence as an SPDX id."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from catalogue.importers.croissant_dataset.source import line_of
from catalogue.importers.huggingface.licence_mapping import spdx_license
from catalogue.importers.result import ImportRefused
from catalogue.importers.values import column_role
from catalogue.model.licenses import check_spdx_expression
from catalogue.model.placeholders import placeholder

SCHEMA_ORG = "https://schema.org/"
CROISSANT = "http://mlcommons.org/croissant/"
DATA_TYPES = {
    "Text": "string", "URL": "string", "Integer": "integer", "Float": "float",
    "Number": "float", "Boolean": "boolean", "Date": "date", "DateTime": "datetime",
    "Time": "string", "ImageObject": "image", "AudioObject": "audio", "VideoObject": "binary",
    "BoundingBox": "array", "Bool": "boolean",
}
SPLIT = CROISSANT + "Split"
MEDIA_FORMATS = {
    "text/csv": "csv", "text/tab-separated-values": "tsv", "application/json": "json",
    "application/jsonlines": "jsonl", "application/x-jsonlines": "jsonl",
    "application/jsonl": "jsonl", "application/x-ndjson": "jsonl",
    "application/x-parquet": "parquet", "application/vnd.apache.parquet": "parquet",
    "application/x-hdf5": "hdf5", "application/x-netcdf": "netcdf", "text/plain": "text",
    "application/xml": "xml", "text/xml": "xml", "application/x-tfrecord": "tfrecord",
}
UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4, "kib": 1024,
         "mib": 1024**2, "gib": 1024**3, "tib": 1024**4, "bytes": 1, "byte": 1}
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(;.*)?$")


def text_of(value: Any) -> str | None:
    """A Croissant text, which may be a language map ({"en": ...})."""
    if isinstance(value, dict):
        value = value.get("en") or next(iter(value.values()), None)
    if isinstance(value, list):
        value = "\n\n".join(str(v) for v in value if v)
    return str(value).strip() if value else None


def licence(values: list[Any] | None, notes: list[str]) -> str | None:
    """The SPDX id of a Croissant licence (an SPDX id, a Creative Commons or SPDX URL, or a
    Hugging Face id)."""
    for value in values or []:
        url = str(getattr(value, "url", None) or getattr(value, "name", None) or value).strip()
        found = re.search(r"creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)", url)
        if found:
            kind = found.group(2).upper()
            candidate = "CC0-" + found.group(3) if kind == "ZERO" else f"CC-{kind}-{found.group(3)}"
        elif (spdx := re.search(r"spdx\.org/licenses/([A-Za-z0-9.+-]+?)(?:\.html)?/?$", url)):
            candidate = spdx.group(1)
        elif (osi := re.search(r"opensource\.org/licen[cs]es/([A-Za-z0-9.+-]+)/?$", url)):
            candidate = osi.group(1)
        else:
            candidate = spdx_license(url) if not url.startswith(("http://", "https://")) else ""
        if candidate and check_spdx_expression(candidate) is None:
            return candidate
        notes.append(f"license: {url!r} is not an SPDX licence the import recognises; write its "
                     "SPDX id (or LicenseRef-<name>)")
    return None


def _local_name(uri: Any) -> str:
    text = str(uri)
    for prefix in (SCHEMA_ORG, "http://schema.org/", CROISSANT):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def data_type(field: Any) -> str | None:
    for uri in field.data_types or []:
        name = _local_name(uri)
        if name in DATA_TYPES:
            return DATA_TYPES[name]
        lowered = name.lower()
        if re.match(r"^u?int\d*$", lowered):
            return "integer"
        if re.match(r"^float\d*$", lowered):
            return "float"
    return None


def _enumerations(record_sets: list[Any]) -> tuple[list[str], dict[str, list[str]]]:
    """Split names, and the values of every other enumeration by the id of its key field."""
    splits: list[str] = []
    values: dict[str, list[str]] = {}
    for record_set in record_sets:
        if not isinstance(record_set.data, list):
            continue
        for field in record_set.fields:
            found = [str(row[field.id]) for row in record_set.data
                     if isinstance(row, dict) and row.get(field.id) is not None]
            values[field.id] = list(dict.fromkeys(found))
        if any(str(t) == SPLIT for t in record_set.data_types or []):
            name_field = next((f for f in record_set.fields if f.name == "name"),
                              record_set.fields[0] if record_set.fields else None)
            if name_field is not None:
                splits.extend(v for v in values.get(name_field.id, []) if v not in splits)
    return splits, values


def _is_enumeration(record_set: Any) -> bool:
    return isinstance(record_set.data, list) or any(
        str(t) == SPLIT for t in record_set.data_types or [])


def _set_of(field_id: Any) -> str:
    return str(field_id).split("/", 1)[0] if field_id else ""


def _table_sets(record_sets: list[Any], notes: list[str]) -> list[Any]:
    """The record sets that are the dataset's tables: not enumerations, not a set another one
    joins in (an ``images`` set read through a reference), not a subset of another (a
    ``sample`` of the ``records``)."""
    data_sets = [r for r in record_sets if not _is_enumeration(r)]
    joined = {_set_of(ref) for r in data_sets for f in r.fields
              for ref in (getattr(f.references, "field", None), getattr(f.source, "field", None))
              if _set_of(ref) and _set_of(ref) != r.id}
    tables = [r for r in data_sets if r.id not in joined]
    names = {r.id: {str(f.name) for f in r.fields} for r in tables}
    kept = [r for i, r in enumerate(tables)
            if not any(o is not r and names[r.id] <= names[o.id]
                       and (names[r.id] != names[o.id] or j < i)
                       for j, o in enumerate(tables))]
    for record_set in data_sets:
        if record_set not in kept:
            how = "joined into another record set" if record_set.id in joined else \
                "its fields are those of another record set"
            notes.append(f"columns: the record set {record_set.name!r} is not imported as "
                         f"columns ({how})")
    return kept


def columns(record_sets: list[Any], notes: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The columns of the dataset's tables, and the split names."""
    splits, enumerations = _enumerations(record_sets)
    tables = _table_sets(record_sets, notes)
    data_ids = {r.id for r in record_sets if not _is_enumeration(r)}
    found: list[dict[str, Any]] = []
    for record_set in tables:
        prefix = f"{record_set.name}/" if len(tables) > 1 else ""
        for field in record_set.fields:
            reference = _set_of(getattr(field.references, "field", None))
            if reference in data_ids and reference != record_set.id:
                notes.append(f"columns: {field.name} is the key that joins {reference!r} into "
                             f"{record_set.name!r}; the joined field is the column")
                continue
            _add_field(field, prefix + str(field.name), enumerations, found, notes)
    return found, splits


def _add_field(field: Any, name: str, enumerations: dict[str, list[str]],
               found: list[dict[str, Any]], notes: list[str]) -> None:
    if field.sub_fields:
        if field.repeated:
            found.append(_column(name, "array", field))
            return
        for sub in field.sub_fields:
            _add_field(sub, f"{name}/{sub.name}", enumerations, found, notes)
        return
    kind = "array" if field.repeated or field.is_array else data_type(field)
    reference = getattr(field.references, "field", None)
    categories = enumerations.get(str(reference)) if reference else None
    if categories and not (field.repeated or field.is_array):
        kind = "category"
    if kind is None:
        types = ", ".join(_local_name(t) for t in field.data_types or []) or "none"
        notes.append(f"columns: {name} has the type {types}, which the catalogue has no name "
                     "for; written as string, check it")
        kind = "string"
    column = _column(name, kind, field)
    if kind == "category" and categories and len(set(categories)) == len(categories):
        column["categories"] = categories
    found.append(column)


def _column(name: str, kind: str, field: Any) -> dict[str, Any]:
    column: dict[str, Any] = {"name": name[:200], "data_type": kind,
                              "role": column_role(name, kind)}
    description = text_of(field.description)
    if description:
        column["description"] = description[:300]
    return column


def size_bytes(text: str | None) -> tuple[int | None, bool]:
    """Bytes of a Croissant ``contentSize`` ("1234 B", "12.5 MB"), and whether it is exact."""
    found = SIZE.match(text or "")
    if not found:
        return None, False
    unit = found.group(2).lower() or "b"
    if unit not in UNITS:
        return None, False
    number = float(found.group(1))
    return round(number * UNITS[unit]), UNITS[unit] == 1 and number.is_integer()


def _hashes(path: Path) -> tuple[str, str, int]:
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha256.update(block)
            md5.update(block)
            size += len(block)
    return sha256.hexdigest(), md5.hexdigest(), size


def artefacts(distribution: list[Any], folder: Path, label: str, text: str,
              notes: list[str]) -> tuple[list[dict[str, Any]], dict[str, Path], list[str]]:
    """Artefact pointers for the file objects, the local files to copy beside the record (by
    their path in it), and the media types of the data."""
    pointers: list[dict[str, Any]] = []
    local: dict[str, Path] = {}
    media: list[str] = []
    objects = {d.id for d in distribution if type(d).__name__ == "FileObject"}
    for item in distribution:
        formats = [str(f) for f in item.encoding_formats or []]
        media.extend(formats)
        if type(item).__name__ == "FileSet":
            inside = ", ".join(str(c) for c in item.contained_in or []) or "no archive"
            listed = any(c in objects for c in item.contained_in or [])
            patterns = ", ".join(item.includes or [])
            notes.append(f"distribution: the file set {item.name!r} ({patterns} in {inside}) "
                         "is not listed file by file"
                         + ("; its archive is" if listed else "; list its files or an archive "
                            "of them with sha256 and size"))
            continue
        if item.contained_in:
            inside = ", ".join(str(c) for c in item.contained_in)
            notes.append(f"distribution: {item.name!r} is inside {inside}, which is listed "
                         "with its checksum")
            continue
        pointers.append(_pointer(item, formats, folder, label, text, local, notes))
    return pointers, local, media


def _pointer(item: Any, formats: list[str], folder: Path, label: str, text: str,
             local: dict[str, Path], notes: list[str]) -> dict[str, Any]:
    url = str(item.content_url or "")
    pointer: dict[str, Any] = {}
    where = f"distribution {item.name!r}"
    scheme = urlparse(url).scheme
    if scheme in ("http", "https"):
        pointer["url"] = url
    elif scheme == "" and url:
        relative = Path(url)
        pointer["path"] = relative.as_posix()
        source = (folder / relative)
        if ".." in relative.parts or relative.is_absolute():
            notes.append(f"{where}: {url} is outside the Croissant file's folder; copy it into "
                         "the record's folder and give its path")
        elif source.is_file():
            sha256, md5, size = _hashes(source)
            for algorithm, stated, actual in (("sha256", item.sha256, sha256),
                                              ("md5", item.md5, md5)):
                if stated and str(stated).lower() != actual:
                    raise ImportRefused(
                        f"{label}:{line_of(text, item.id)}: {where}: {algorithm} {stated} is "
                        f"stated, but {url} has {actual}; expected the file the description "
                        "names (or correct its checksum)")
            local[pointer["path"]] = source
            pointer.update(sha256=sha256, size_bytes=size)
        else:
            notes.append(f"{where}: {url} is not next to the Croissant file; put it in the "
                         "record's folder (its checksum is then checked)")
    else:
        pointer["url"] = url or placeholder("https URL of the file")
        notes.append(f"{where}: contentUrl {url!r} is not an https URL or a relative path")
    if "sha256" not in pointer:
        if item.sha256:
            pointer["sha256"] = str(item.sha256).lower()
        else:
            pointer["sha256"] = placeholder(f"sha256 of {item.name}")
            given = f" (Croissant gives md5 {item.md5}; the catalogue keeps sha256)" \
                if item.md5 else ""
            notes.append(f"{where}: no sha256{given}; download the file and write its sha256 "
                         "(sha256sum)")
    if "size_bytes" not in pointer:
        stated_size, exact = size_bytes(item.content_size)
        if stated_size is None:
            pointer["size_bytes"] = placeholder(f"size in bytes of {item.name}")
            notes.append(f"{where}: no usable contentSize ({item.content_size!r}); write the "
                         "size in bytes")
        else:
            pointer["size_bytes"] = stated_size
            if not exact:
                notes.append(f"{where}: size_bytes {stated_size} comes from the rounded "
                             f"contentSize {item.content_size!r}; write the exact size")
    media_type = next((f for f in formats if MEDIA_TYPE.match(f)), None)
    pointer["media_type"] = media_type or "application/octet-stream"
    pointer["role"] = "data"
    description = text_of(item.description)
    if description:
        pointer["description"] = description[:300]
    return pointer


def dataset_format(media: list[str]) -> str | None:
    for media_type in media:
        lowered = media_type.lower().split(";")[0].strip()
        if lowered in MEDIA_FORMATS:
            return MEDIA_FORMATS[lowered]
    for media_type in media:
        if media_type.startswith("image/"):
            return "image-folder"
        if media_type.startswith("audio/"):
            return "audio"
    return None
