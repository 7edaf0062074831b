"""One zip of the files the site publishes beside a record's page (its artefacts, evidence and
metadata exports), made at build time so that a reader downloads the package in one go.

The archive is deterministic, so that two builds stay byte-identical: entries in path order,
each dated with the record's own date (never the clock or a file's mtime), the same
permissions and compression for every entry. A record whose files would make an archive
larger than ``MAX_BYTES`` gets none (its files stay downloadable one by one).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from catalogue.model.records import Record
from site_generator.downloads import PublishedFile

MAX_BYTES = 256 * 1024 * 1024
ZIP_EPOCH = (1980, 1, 1)
"""The earliest date a zip entry can hold."""
COMPRESS_LEVEL = 6
"""zlib's default: on a record's files (JSON-LD, citations, a few KiB each) level 9 saves a
third of a percent of the zip for a fifth more time, at every record of a full build."""
UNIX = 3
FILE_MODE = 0o100644


def zip_name(record: Record) -> str:
    """``<slug>-<version>.zip`` (or ``<slug>.zip``): the archive's name beside the page."""
    version = record.data.get("version")
    slug = record.id.split("/", 1)[1]
    suffix = f"-{version}" if isinstance(version, str) and version.strip() else ""
    return f"{slug}{suffix}.zip".replace("/", "-").replace(" ", "-")


def _date(day: str | None) -> tuple[int, int, int, int, int, int]:
    try:
        year, month, date = (int(part) for part in (day or "").split("-"))
    except ValueError:
        year, month, date = ZIP_EPOCH
    return (year, month, date, 0, 0, 0) if (year, month, date) >= ZIP_EPOCH else (
        *ZIP_EPOCH, 0, 0, 0)


def _content(published: PublishedFile) -> bytes:
    if published.content is not None:
        return published.content
    assert published.source is not None
    return published.source.read_bytes()


def _size(published: PublishedFile) -> int:
    if published.content is not None:
        return len(published.content)
    return published.source.stat().st_size if published.source is not None else 0


def record_zip(record: Record, files: Iterable[PublishedFile], day: str | None
               ) -> PublishedFile | None:
    """The zip of ``files`` (those published in the record's folder), at
    ``<record id>/<zip_name>``; None when there is nothing to put in it or too much."""
    prefix = f"{record.id}/"
    name = zip_name(record)
    members = sorted({f.path: f for f in files
                      if f.path.startswith(prefix) and f.path != prefix + name}.items())
    if not members or sum(_size(f) for _, f in members) > MAX_BYTES:
        return None
    folder = name.removesuffix(".zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, published in members:
            entry = zipfile.ZipInfo(f"{folder}/{path.removeprefix(prefix)}", _date(day))
            entry.create_system = UNIX
            entry.external_attr = FILE_MODE << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, _content(published), compresslevel=COMPRESS_LEVEL)
    return PublishedFile(prefix + name, content=buffer.getvalue())
