"""A dataset's files and records in Croissant 1.0 terms, so that a Croissant loader
(``mlcroissant``) can read them.

- **Files.** Every artefact is a ``cr:FileObject`` described by its own description. What an
  archive holds (its ``contents``: a path or a glob with its media type) becomes a
  ``cr:FileObject`` or ``cr:FileSet`` ``containedIn`` the archive.
- **Records.** The ``records`` RecordSet reads the data's table: a tabular data file, or one
  inside a data archive. Image columns hold a path inside the archive; the image itself comes
  from an ``images`` RecordSet over the archive's image FileSet, joined on that path
  (``references``). When the only table published is a sample, ``records`` reads the sample and
  says so. A sample published beside the full data gets a ``sample`` RecordSet of its own.
- **Keys, splits and categories.** The identifier columns are the key; the splits are a
  ``cr:Split`` RecordSet that a split column refers to; every other categorical column refers
  to an enumeration RecordSet of its categories.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from catalogue.model.dates import iso_day
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import Pointer, usable_pointers
from catalogue.model.records import Record

JsonLd = dict[str, Any]

COLUMN_TYPES = {
    "string": "sc:Text", "text": "sc:Text", "category": "sc:Text", "integer": "sc:Integer",
    "float": "sc:Float", "boolean": "sc:Boolean", "date": "sc:Date", "datetime": "sc:DateTime",
    "image": "sc:ImageObject", "audio": "sc:AudioObject", "binary": "sc:Text", "array": "sc:Text",
}
TABULAR_MEDIA_TYPES = frozenset({"text/csv", "text/tab-separated-values"})
ARCHIVE_MEDIA_TYPES = frozenset({"application/x-tar", "application/zip", "application/gzip"})
SPLIT_URLS = {"train": "cr:TrainingSplit", "training": "cr:TrainingSplit",
              "validation": "cr:ValidationSplit", "valid": "cr:ValidationSplit",
              "val": "cr:ValidationSplit", "test": "cr:TestSplit", "testing": "cr:TestSplit"}
RECORDS, SAMPLE, IMAGES, SPLITS = "records", "sample", "images", "splits"
GLOB_CHARACTERS = frozenset("*?[")


def file_names(pointers: list[Pointer]) -> list[str]:
    """Short, unique names for a record's files (the last part of the path or URL)."""
    names: list[str] = []
    for pointer in pointers:
        name = PurePosixPath(pointer.name).name or "file"
        candidate, counter = name, 2
        while candidate in names:
            candidate, counter = f"{counter}-{name}", counter + 1
        names.append(candidate)
    return names


def artefact_entry(record: Record, pointer: Pointer) -> dict[str, Any]:
    """The record's own mapping for the artefact ``pointer`` was parsed from."""
    value: Any = record.data
    for step in pointer.field:
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
        else:
            return {}
    return value if isinstance(value, dict) else {}


class CroissantFiles:
    """The distribution and record sets of one dataset record."""

    def __init__(self, record: Record, download: Callable[[Pointer], str]) -> None:
        self.record = record
        self.pointers = [] if record.status == DELETED else usable_pointers(record)
        self.names = file_names(self.pointers)
        self.download = download
        self.columns = record.mappings("columns")

    # -- files -----------------------------------------------------------------------------
    def distribution(self) -> list[JsonLd]:
        nodes: list[JsonLd] = []
        for pointer, name in zip(self.pointers, self.names, strict=True):
            entry = artefact_entry(self.record, pointer)
            nodes.append(_drop_empty({
                "@type": "cr:FileObject", "@id": name, "name": name,
                "description": entry.get("description") or pointer.role,
                "contentUrl": self.download(pointer),
                "encodingFormat": pointer.media_type or None, "sha256": pointer.sha256,
                "contentSize": f"{pointer.size_bytes} B"}))
            for inner in _contents(entry):
                nodes.append(self._contained(name, inner))
        return nodes

    def _contained(self, archive: str, inner: dict[str, Any]) -> JsonLd:
        path = str(inner["path"])
        node: JsonLd = {"@id": f"{archive}/{path}", "name": path,
                        "description": inner.get("description"),
                        "containedIn": {"@id": archive},
                        "encodingFormat": inner.get("media_type")}
        if GLOB_CHARACTERS & set(path):
            node.update({"@type": "cr:FileSet", "includes": path})
        else:
            node.update({"@type": "cr:FileObject", "contentUrl": path})
        return _drop_empty(node)

    # -- records ---------------------------------------------------------------------------
    def record_sets(self, embedded_limit: int | None = None) -> list[JsonLd]:
        """Every RecordSet; none when the record has no columns or no table to read, or when
        ``embedded_limit`` is given and the record has more columns than that."""
        if not self.columns or (embedded_limit is not None
                                and len(self.columns) > embedded_limit):
            return []
        full, sample = self._tables()
        source = full or sample
        if source is None:
            return []
        images = self._image_set() if full is not None else None
        sets: list[JsonLd] = [*self._enumerations(), *self._splits()]
        if images is not None:
            sets.append(images)
        description = None if full is not None else (
            "Only a sample of the data is published as a table: " + self._describe(sample))
        sets.append(self._table(RECORDS, source, description, images is not None))
        if full is not None and sample is not None:
            sets.append(self._table(SAMPLE, sample, "A sample of the records: "
                                    + self._describe(sample), False))
        return sets

    def records_are_a_sample(self) -> bool:
        full, sample = self._tables()
        return full is None and sample is not None and bool(self.columns)

    def _tables(self) -> tuple[str | None, str | None]:
        """The ``@id`` of the full table (a data file, or one in a data archive) and of the
        sample table, each None when there is none."""
        full = sample = None
        for pointer, name in zip(self.pointers, self.names, strict=True):
            entry = artefact_entry(self.record, pointer)
            if pointer.media_type in TABULAR_MEDIA_TYPES:
                if pointer.role == "data" and full is None:
                    full = name
                elif pointer.role == "sample-data" and sample is None:
                    sample = name
            elif pointer.role == "data" and full is None:
                for inner in _contents(entry):
                    if inner.get("media_type") in TABULAR_MEDIA_TYPES and not (
                            GLOB_CHARACTERS & set(str(inner["path"]))):
                        full = f"{name}/{inner['path']}"
                        break
        return full, sample

    def _describe(self, file_id: str | None) -> str:
        for pointer, name in zip(self.pointers, self.names, strict=True):
            if name == file_id:
                entry = artefact_entry(self.record, pointer)
                return str(entry.get("description") or name)
        return str(file_id)

    def _image_files(self) -> str | None:
        """The ``@id`` of the image FileSet inside a data archive, if there is one."""
        for pointer, name in zip(self.pointers, self.names, strict=True):
            if pointer.role != "data":
                continue
            for inner in _contents(artefact_entry(self.record, pointer)):
                path = str(inner["path"])
                if str(inner.get("media_type", "")).startswith("image/") and \
                        GLOB_CHARACTERS & set(path):
                    return f"{name}/{path}"
        return None

    def _image_set(self) -> JsonLd | None:
        file_set = self._image_files()
        if file_set is None or not any(c.get("data_type") == "image" for c in self.columns):
            return None
        return {"@type": "cr:RecordSet", "@id": IMAGES, "name": IMAGES,
                "description": "The images of the archive, by their path inside it.",
                "key": {"@id": f"{IMAGES}/path"},
                "field": [
                    _field(IMAGES, "path", "sc:Text", "Path of the image inside the archive",
                           {"fileSet": {"@id": file_set}, "extract": {"fileProperty": "fullpath"}}),
                    _field(IMAGES, "content", "sc:ImageObject", "The image",
                           {"fileSet": {"@id": file_set}, "extract": {"fileProperty": "content"}}),
                ]}

    def _split_column(self) -> str | None:
        names = {str(s.get("name")) for s in self.record.mappings("splits")}
        for column in self.columns:
            if names and set(_categories(column)) == names:
                return str(column.get("name"))
        return None

    def _splits(self) -> list[JsonLd]:
        splits = self.record.mappings("splits")
        if not splits:
            return []
        data = []
        for split in splits:
            name = str(split.get("name"))
            row = {f"{SPLITS}/name": name,
                   f"{SPLITS}/description": str(split.get("description") or ""),
                   f"{SPLITS}/num_records": split.get("num_records")}
            if name.lower() in SPLIT_URLS:
                row[f"{SPLITS}/url"] = SPLIT_URLS[name.lower()]
            data.append(row)
        fields = [_field(SPLITS, "name", "sc:Text", "The split's name"),
                  _field(SPLITS, "description", "sc:Text", "How the split was drawn"),
                  _field(SPLITS, "num_records", "sc:Integer", "Records in the split")]
        if any(f"{SPLITS}/url" in row for row in data):
            fields.append(_field(SPLITS, "url", "sc:URL", "Croissant's type of split"))
        return [{"@type": "cr:RecordSet", "@id": SPLITS, "name": SPLITS,
                 "description": "The splits of the data.", "dataType": "cr:Split",
                 "key": {"@id": f"{SPLITS}/name"}, "field": fields, "data": data}]

    def _enumerations(self) -> list[JsonLd]:
        split_column = self._split_column()
        sets = []
        for column in self.columns:
            name = str(column.get("name"))
            categories = _categories(column)
            if not categories or name == split_column:
                continue
            set_id = _enumeration_id(name)
            sets.append({
                "@type": "cr:RecordSet", "@id": set_id, "name": set_id,
                "description": f"The values of {name}.", "dataType": "sc:Enumeration",
                "key": {"@id": f"{set_id}/name"},
                "field": [_field(set_id, "name", "sc:Text", f"A value of {name}")],
                "data": [{f"{set_id}/name": value} for value in categories]})
        return sets

    def _table(self, set_id: str, file_id: str, description: str | None,
               with_images: bool) -> JsonLd:
        split_column = self._split_column()
        fields: list[JsonLd] = []
        for column in self.columns:
            name = str(column.get("name"))
            read = {"fileObject": {"@id": file_id}, "extract": {"column": name}}
            if column.get("data_type") == "image":
                if with_images:
                    fields.append(_field(set_id, name, "sc:ImageObject", column.get("description"),
                                         {"field": {"@id": f"{IMAGES}/content"}}))
                    fields.append(_field(set_id, f"{name}_path", "sc:Text",
                                         f"Path of {name} inside the archive", read,
                                         references=f"{IMAGES}/path"))
                else:
                    fields.append(_field(set_id, name, "sc:Text",
                                         f"Path of the image inside the archive: "
                                         f"{column.get('description') or name}", read))
                continue
            references = None
            if name == split_column:
                references = f"{SPLITS}/name"
            elif _categories(column):
                references = f"{_enumeration_id(name)}/name"
            fields.append(_field(set_id, name, COLUMN_TYPES.get(str(column.get("data_type")),
                                                                "sc:Text"),
                                 column.get("description"), read, references=references))
        node: JsonLd = {"@type": "cr:RecordSet", "@id": set_id, "name": set_id,
                        "description": description or f"The records of {self.record.title}.",
                        "field": fields}
        key = [{"@id": f"{set_id}/{c.get('name')}"} for c in self.columns
               if c.get("role") == "identifier"]
        if key:
            node["key"] = key[0] if len(key) == 1 else key
        return node

    # -- responsible AI --------------------------------------------------------------------
    def rai(self, uses: list[str]) -> JsonLd:
        """The Croissant RAI properties the record fills; ``uses`` are the uses the catalogue
        knows of (the experiments that used the data, and how)."""
        data = self.record.data
        node: JsonLd = {}
        for key, term in (("collection_method", "rai:dataCollection"),
                          ("source", "rai:dataCollectionRawData"),
                          ("ethical_considerations", "rai:dataSocialImpact")):
            if data.get(key):
                node[term] = data[key]
        coverage = data.get("temporal_coverage")
        if isinstance(coverage, dict):
            days = [d for d in (iso_day(coverage.get("start")), iso_day(coverage.get("end"))) if d]
            if days:
                node["rai:dataCollectionTimeFrame"] = days
        if "contains_personal_data" in data:
            privacy = data.get("privacy_level")
            node["rai:personalSensitiveInformation"] = (
                "Contains personal data" if data["contains_personal_data"]
                else "Contains no personal data") + (
                f"; privacy level: {privacy}." if privacy else ".")
        if self.record.status != "active" and data.get("status_reason"):
            node["rai:dataReleaseMaintenancePlan"] = (
                f"{self.record.status.capitalize()}: {data['status_reason']}")
        if uses:
            node["rai:dataUseCases"] = uses
        return node


def _categories(column: dict[str, Any]) -> list[str]:
    values = column.get("categories")
    return [str(v) for v in values] if isinstance(values, list) else []


def _contents(entry: dict[str, Any]) -> list[dict[str, Any]]:
    contents = entry.get("contents")
    return [c for c in contents if isinstance(c, dict) and isinstance(c.get("path"), str)
            and c["path"] and isinstance(c.get("media_type"), str)] \
        if isinstance(contents, list) else []


def _enumeration_id(column: str) -> str:
    return f"{column}_values"


def _field(set_id: str, name: str, data_type: str, description: Any,
           source: JsonLd | None = None, references: str | None = None) -> JsonLd:
    node: JsonLd = {"@type": "cr:Field", "@id": f"{set_id}/{name}", "name": name,
                    "description": description, "dataType": data_type}
    if source is not None:
        node["source"] = source
    if references is not None:
        node["references"] = {"field": {"@id": references}}
    return _drop_empty(node)


def _drop_empty(node: JsonLd) -> JsonLd:
    return {k: v for k, v in node.items() if v is not None and v != ""}
