"""Artefacts as download rows, and which record files the site publishes beside a page.

A local artefact (a ``path`` inside the record's folder) is published at
``/<kind folder>/<slug>/<path>`` (where ``catalogue.standards.urls.file_url`` says it is) only when:

* the record offers downloads at all: it is ``active`` and its ``access_rights`` are public
  (deprecated and deleted records keep their page without downloads; restricted, embargoed and
  private assets list their files without links);
* the file is inside the folder (no symlink out of it), its sha256 matches the record, and its
  type is on the allow-list of ``is_publishable``;
* its place is not taken by something the site generates there (the page, its sub-pages, the
  metadata exports).

Remote artefacts link to their URL (a Hugging Face ``hf://`` pointer to its pinned download
URL), except those of an illustrative record, on a domain reserved for examples, which are
listed as not shipped; nothing is fetched at build time.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import quote

from catalogue.load.artefacts import local_file, sha256_file
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import ArtefactError, Pointer, record_pointers
from catalogue.model.records import Record
from catalogue.standards.urls import file_url

PUBLIC_ACCESS = frozenset({"public"})
RESERVED_NAMES = frozenset({"index.html", "index.md", "related"})
NOT_SHIPPED = ("not shipped: a file of an illustrative record (its address is on a domain "
               "reserved for examples)")
PUBLISHABLE_SUFFIXES = frozenset({
    # models, arrays and tensors, archives: served as application/octet-stream or an archive
    # type, which a browser saves
    ".onnx", ".data", ".pb", ".npz", ".npy", ".pt", ".pth", ".ckpt", ".bin", ".safetensors",
    ".h5", ".hdf5", ".keras", ".tflite", ".gguf", ".pkl", ".joblib", ".msgpack", ".zip", ".gz",
    ".tgz", ".bz2", ".xz", ".zst", ".tar", ".7z",
    # tables and data as text
    ".csv", ".tsv", ".txt", ".json", ".jsonl", ".ndjson", ".jsonld", ".parquet", ".arrow",
    ".feather", ".avro", ".orc", ".nc", ".yaml", ".yml", ".toml", ".cfg", ".ini",
    # code, shown as text or saved
    ".py", ".ipynb", ".r", ".jl", ".sh",
    # raster images, audio, video, PDF: shown by the browser's own viewers, which run no script
    # of the site
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".wav", ".flac", ".mp3", ".ogg",
    ".mp4", ".webm", ".pdf",
})
"""Files the site may publish beside a page, by their last suffix: types that GitHub Pages (and
any common server) serves as data a browser shows or saves. Whatever is not listed (markup,
scripts, styles, and every XML type, ``.xsd`` or ``.rss`` as much as ``.svg``: served as
``application/xml`` an XHTML ``<script>`` in them runs on the site's origin) is listed on the page
without a link, never published."""


COMPRESSED_SUFFIXES = frozenset({".gz", ".bz2", ".xz", ".zst"})


def is_publishable(name: str) -> bool:
    """Whether a record file may be served from the site: an allowed type (above; a compressed
    file's inner type too, as a server may send ``page.html.gz`` as compressed HTML), and
    neither a hidden file (``.htaccess``) nor one in a hidden folder."""
    path = PurePosixPath(name)
    if not name or any(part.startswith(".") for part in path.parts):
        return False
    suffix = path.suffix.lower()
    if suffix in COMPRESSED_SUFFIXES and path.stem != PurePosixPath(path.stem).stem:
        return is_publishable(path.with_suffix("").as_posix())
    return suffix in PUBLISHABLE_SUFFIXES


class PublishedFile(NamedTuple):
    """A file of the built site that is not a page: copied from ``source`` or written from
    ``content``."""

    path: str
    """Where it goes, relative to the site root."""
    source: Path | None = None
    content: bytes | None = None


class Download(NamedTuple):
    name: str
    role: str
    media_type: str
    size_bytes: int | None
    sha256: str | None
    description: str
    href: str | None
    """Relative to the page for a published file, absolute for a remote one; None: no link."""
    remote: bool
    note: str | None
    """Why there is no link, or what to know about it."""


class Access(NamedTuple):
    allowed: bool
    reason: str | None


def access(record: Record) -> Access:
    """Whether the page may offer the record's files, and why not."""
    if record.status == DELETED:
        return Access(False, "This record was deleted: its files are no longer available.")
    # A deprecated record keeps its files (with the notice) so that results obtained with it
    # stay reproducible; only a deleted one is metadata without files (the data life plan).
    rights = record.data.get("access_rights", "public")
    if rights not in PUBLIC_ACCESS:
        until = record.data.get("embargo_until")
        reason = {"embargoed": f"under embargo{f' until {until}' if until else ''}",
                  "restricted": "restricted: ask the publishing organisation for access",
                  "private": "private"}.get(str(rights), f"access rights: {rights}")
        return Access(False, f"The files are {reason}; they are listed without links.")
    return Access(True, None)


def is_reserved(name: str, reserved: Iterable[str]) -> bool:
    first = name.split("/", 1)[0]
    return first in RESERVED_NAMES or name in set(reserved)


def _local(record: Record, pointer: Pointer, reserved: Iterable[str]
           ) -> tuple[str | None, str | None, PublishedFile | None]:
    """(href, note, file) for a local artefact."""
    name = pointer.name
    if is_reserved(name, reserved) or not is_publishable(name):
        return None, "not published on this site (file type or name reserved)", None
    try:
        source = local_file(record.folder, pointer.target)
    except ArtefactError as problem:
        return None, problem.message, None
    if source.stat().st_size != pointer.size_bytes or sha256_file(source) != pointer.sha256:
        return None, "not published: the file does not match its size and sha256", None
    return quote(name, safe="/"), None, PublishedFile(f"{record.id}/{name}", source=source)


def downloads(record: Record, base: str, reserved: Iterable[str] = (), *,
              field: str = "artefacts") -> tuple[list[Download], list[PublishedFile]]:
    """The rows for the artefacts under ``field`` (``artefacts``, or ``checkpoints`` for their
    artefact), and the files to publish for them."""
    allowed = access(record).allowed
    rows: list[Download] = []
    files: list[PublishedFile] = []
    for path, pointer, problem in record_pointers(record):
        if path[0] != field:
            continue
        entry = record.get(path)
        entry = entry if isinstance(entry, dict) else {}
        description = str(entry.get("description") or "")
        if pointer is None:
            target = entry.get("path") or entry.get("url") or "?"
            rows.append(Download(str(target), str(entry.get("role") or ""),
                                 str(entry.get("media_type") or ""), None, None, description,
                                 None, False,
                                 problem.message if problem else "incomplete artefact entry"))
            continue
        href: str | None = None
        note: str | None = None
        if allowed and pointer.is_local:
            href, note, published = _local(record, pointer, reserved)
            if published is not None:
                files.append(published)
        elif pointer.is_example:
            note = NOT_SHIPPED
        elif allowed:
            href = file_url(base, record.id, pointer)
        rows.append(Download(pointer.name, pointer.role, pointer.media_type, pointer.size_bytes,
                             pointer.sha256, description, href, not pointer.is_local, note))
    return rows, files


def total_size(record: Record) -> int | None:
    """The size of the record's artefacts, or None when it lists none."""
    sizes = [p.size_bytes for path, p, _ in record_pointers(record)
             if p is not None and path[0] == "artefacts"]
    return sum(sizes) if sizes else None
