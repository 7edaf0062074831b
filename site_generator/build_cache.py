"""The build cache: each record's pages and files from the last build, reused while everything
they read is unchanged.

A record's *unit* is its page, its related-list pages, the files published beside them, its
search document and its N-Quads. The cache (``<cache>/build/``, git-ignored) keeps, per record,
the lookups its unit made (``tracing``) with the digest of each answer, and the unit's output as
content-addressed blobs: the page HTML exactly as MkDocs wrote it, every file, the search
document. The index is valid for one *global key*: the generator's code and the versions of the
libraries it renders with, the settings, the theme file and the build options. A later build
with the same global key looks each lookup up again; when every digest matches, the unit is
reused without generating it and MkDocs never sees its pages.

The index also keeps the search index's shards (``search_shards``): under each shard's key, the
files of its Pagefind bundle, as blobs; and each asset's quality report (``quality_memo``), as
a blob of JSON with the lookups that made it.

The index is JSON and blobs are plain bytes (nothing is unpickled), and a cache folder that git
tracks (committed to the repository) is ignored whole: a cache only ever comes from this
machine's own builds, or one CI restored from a trusted branch.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NamedTuple

from catalogue.load.cache_dir import committed
from catalogue.load.file_digests import FileDigests, source_digest
from catalogue.load.forked import Forked, ForkedFailed, run_forked
from catalogue.load.safe_write import (
    check_no_symlink,
    replace_file,
    write_named_by_content,
    write_text_no_follow,
)

FORMAT = 2
BUILD_FOLDER = "build"
INDEX_FILE = "index.json"
DELTA_FILE = "index.delta.json"
DELTA_SHARE = 32
"""A save that changes at most 1/``DELTA_SHARE`` of the entries writes them alone, to
``DELTA_FILE``: the whole index is tens of megabytes at 10,000 records."""
LOCK_FILE = "lock"
DIGESTS_FILE = "digests.json"
BLOBS = "blobs"
BLOB = "blob"
SOURCE = "source"
LIBRARIES = ("mkdocs", "mkdocs-material", "jinja2", "markdown", "pymdown-extensions", "pyoxigraph",
             "orjson", "nh3", "pygments", "markupsafe", "grandalf", "pagefind")
"""What renders a page besides the project's own code."""

Read = tuple[str, Hashable, str]
"""A lookup a unit made: table, key, digest of the answer."""
ShardFiles = tuple[tuple[str, str], ...]
"""The files of a search index shard's bundle: (path in the bundle, blob)."""


@dataclass(frozen=True)
class CachedPage:
    path: str
    date: str | None
    html: str
    """Blob of the page as MkDocs wrote it."""
    index: str | None
    """Blob of the search document, if the page is searched."""


@dataclass(frozen=True)
class CachedUnit:
    reads: tuple[Read, ...]
    pages: tuple[CachedPage, ...]
    files: tuple[tuple[str, str, str], ...]
    """(site path, ``blob`` or ``source``, blob id or source path relative to the root)."""
    nquads: str
    """Blob of the record's N-Quads lines."""


@dataclass(frozen=True)
class CachedReport:
    """An asset's quality report (``quality_memo``), with the lookups that made it."""

    reads: tuple[Read, ...]
    report: str
    """Blob of the report as JSON (``QualityReport.as_json_value``): its id is its digest."""


class _IndexFile(NamedTuple):
    """The index (``id``) or its delta file (``base``: the index it completes), parsed."""

    id: str
    base: str
    units: dict[str, CachedUnit]
    shards: dict[str, ShardFiles]
    reports: dict[str, CachedReport]
    gone_units: list[str]
    gone_reports: list[str]


def _text_or_empty(value: object) -> str:
    return value if isinstance(value, str) else ""


def code_version() -> str:
    """The digest of the code that turns records into pages: this package, ``catalogue``, and
    the libraries in ``LIBRARIES``."""
    import catalogue
    import site_generator

    digest = hashlib.sha256()
    for package in (catalogue, site_generator):
        digest.update(source_digest(Path(str(package.__file__)).parent).encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={version(name)};".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=-;".encode())
    return digest.hexdigest()


def global_key(root: Path, inputs: Iterable[Path], options: Mapping[str, object]) -> str:
    """The key every cached unit of a build shares: code, the files read by every page (the
    settings, the theme file) and the build's options."""
    digest = hashlib.sha256(code_version().encode())
    for path in inputs:
        digest.update(path.name.encode())
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"-")
    digest.update(json.dumps(dict(options), sort_keys=True, default=str).encode())
    return digest.hexdigest()


_BLOB_ID = re.compile(r"[0-9a-f]{64}")


def _blob(value: object) -> str:
    if not isinstance(value, str) or not _BLOB_ID.fullmatch(value):
        raise ValueError(f"not a blob id: {value!r}")
    return value


def _relative(value: object) -> str:
    """A relative path inside the site or the catalogue; anything that could point elsewhere
    (absolute, ``..``, a backslash, a NUL) is refused."""
    if not isinstance(value, str) or value.startswith("/") or "\\" in value or "\0" in value:
        raise ValueError(f"not a relative path: {value!r}")
    wrapped = f"/{value}/"  # (a part "." or ".." is "/./" or "/../" here: no split per path)
    if "/../" in wrapped or "/./" in wrapped:
        raise ValueError(f"not a relative path: {value!r}")
    return value


def _file(path: object, how: object, ref: object) -> tuple[str, str, str]:
    if how == BLOB:
        return _relative(path), BLOB, _blob(ref)
    if how == SOURCE:
        return _relative(path), SOURCE, _relative(ref)
    raise ValueError(f"not a kind of file: {how!r}")


def _shard_files(files: object) -> ShardFiles:
    if not isinstance(files, list) or not files:
        raise ValueError("not a list of files")
    return tuple((_relative(path), _blob(blob)) for path, blob in files)


def _reads(places: object, lookups: list[Read]) -> tuple[Read, ...]:
    """A unit's or a report's lookups, from their places in the list ``lookups`` (checked all
    at once: a cache index names 300,000 of them at 10,000 records)."""
    if not isinstance(places, list) or not set(map(type, places)) <= {int} or \
            (places and not 0 <= min(places) <= max(places) < len(lookups)):
        raise ValueError(f"not lookups: {places!r}"[:200])
    return tuple(map(lookups.__getitem__, places))


def _key_from_json(value: Any) -> Hashable:
    return tuple(_key_from_json(v) for v in value) if isinstance(value, list) else value


class BuildCache:
    """One catalogue's build cache; ``folder`` ``None`` keeps nothing (every unit is built)."""

    def __init__(self, folder: Path | None, key: str, *, within: Path | None = None,
                 digests: FileDigests | None = None, list_meanwhile: bool = False) -> None:
        """``digests``: the files' and folders' digests to use, when the run has them already
        (the record store's, which digested the record folders for its checks).
        ``list_meanwhile``: list the blobs (``holds``) in a process forked now, while this one
        reads the index, where there are cores to spare."""
        self._lock: int | None = None
        self._listed: Forked[Listing] | None = None
        self._lister = 0
        """The process that started ``_listed``: only it may wait for it."""
        self.folder = folder
        self.key = key
        self.within = within
        self.units: dict[str, CachedUnit] = {}
        self.shards: dict[str, ShardFiles] = {}
        """The search index's shards, by key: those of the last build until ``keep_shards``."""
        self.ignored: str | None = None
        """Why an existing cache was not used, when it was not."""
        if folder is not None and committed(folder, within):
            self.ignored = f"{folder} holds files committed to the repository"
            self.folder = None
        if self.folder is not None and not self._take_lock():
            # Another build's clean-up would drop blobs this one is placing in its site.
            self.ignored = f"{folder} is in use by another build (omh serve?)"
            self.folder = None
        self.digests = digests if digests is not None else FileDigests(
            self.folder / DIGESTS_FILE if self.folder else None, within)
        if digests is not None and self.folder is not None:  # an older cache's own: unused
            with contextlib.suppress(OSError):
                (self.folder / DIGESTS_FILE).unlink()
        self._blobs = str(self.folder / BLOBS) if self.folder else ""
        self._main: tuple[str, dict[str, CachedUnit], dict[str, CachedReport]] = ("", {}, {})
        """The main index file's id, units and reports (the delta file holds the changes)."""
        if list_meanwhile and self.folder is not None and (self.folder / INDEX_FILE).exists():
            # Nothing adds or drops a blob before the listing is asked for (a rebuild asks
            # after 100,000 blobs: 0.4 s of listing at 10,000 records, against the index's 0.6)
            self._listed = run_forked(functools.partial(_list_blobs, self._blobs))
            self._lister = os.getpid()
        loaded = self._load()
        self.units, self.shards, self.reports = loaded or ({}, {}, {})
        self._saved_shards = dict(self.shards)
        self._saved_reports = dict(self.reports)
        self._put: set[str] = set()
        """The blobs kept by this build (with the index's, every blob a clean-up may drop)."""
        self._present: dict[str, int] | None = None
        """The blobs the folder held when ``holds`` was first asked, with their inodes."""
        self._device: int | None = None
        """The blob folder's device, when the listing's inodes are those ``stat`` gives."""
        self._folders: set[str] = set()
        """The blob folders this build made sure of (made, and no symlink up to ``within``)."""
        self._swept = loaded is not None
        """Whether every blob in the folder is named by the index or ``_put``: not so when no
        index was loaded (a first build, another key, a damaged index), where blobs of an
        earlier cache may lie."""

    # -- one build at a time ----------------------------------------------------------------
    def _take_lock(self) -> bool:
        """Hold the cache's lock, unless another process holds it (where the system has no
        ``flock``, builds are trusted not to overlap)."""
        assert self.folder is not None
        try:
            import fcntl
        except ImportError:  # not a POSIX system
            return True
        try:
            check_no_symlink(self.folder, self.within)
            self.folder.mkdir(parents=True, exist_ok=True)
            check_no_symlink(self.folder / LOCK_FILE, self.within)
            handle = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW |
                             getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError:
            return True  # a cache that cannot be written keeps nothing anyway
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            return False
        self._lock = handle
        return True

    def close(self) -> None:
        """Let another build use the cache (at the latest when this object or this process
        ends)."""
        listed, self._listed = self._listed, None
        if listed is not None and self._lister == os.getpid():
            listed.stop()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # (at exit, modules may be gone)
            self.close()

    # -- blobs -----------------------------------------------------------------------------
    def blob_path(self, blob: str) -> Path:
        return Path(self.blob_file(blob))

    def blob_file(self, blob: str) -> str:
        """``blob_path`` as a string, for the many blobs a rebuild places."""
        assert self.folder is not None
        return f"{self._blobs}/{blob[:2]}/{blob}"

    def put(self, content: bytes) -> str | None:
        """Keep ``content``; its blob id (``None`` when nothing is kept)."""
        if self.folder is None:
            return None
        blob = hashlib.sha256(content).hexdigest()
        return blob if self._keep(blob, lambda path: write_named_by_content(path, content)) \
            else None

    def adopt(self, blobs: Iterable[str]) -> None:
        """Blobs another process of this build put (a worker's): the clean-up after a save
        removes those no unit, shard or report names."""
        self._put.update(blobs)

    def put_file(self, source: Path, blob: str | None = None) -> str | None:
        """Keep the file ``source``, one the build wrote and never writes again: linked into the
        cache (``put`` writes a copy, atomically: ten times slower for the thousands of small
        files of a search index); its blob id. ``blob``: the SHA-256 of its content, when the
        build knows it (the bytes it has just written there)."""
        if self.folder is None:
            return None
        content = None
        if blob is None:
            content = source.read_bytes()
            blob = hashlib.sha256(content).hexdigest()

        def link(path: str) -> None:
            try:
                os.link(source, path, follow_symlinks=False)
            except FileExistsError:  # the same bytes, kept meanwhile, unless cut short
                if os.lstat(path).st_size != source.stat().st_size or os.path.islink(path):
                    replace_file(path, source.read_bytes())

        if self._keep(blob, link):
            return blob
        return self.put(source.read_bytes() if content is None else content)  # (another FS)

    def _keep(self, blob: str, write: Callable[[str], None]) -> bool:
        """Whether the cache holds ``blob``, once ``write`` has made its file if need be (it
        leaves a file already there as it is)."""
        if blob in self._put:  # put by this build already
            return True
        path = self.blob_file(blob)
        try:
            folder = os.path.dirname(path)
            if folder not in self._folders:  # checked once a build: a build puts 100,000
                check_no_symlink(Path(folder), self.within)
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            write(path)
        except OSError:
            return False
        self._put.add(blob)
        return True

    def blob_of(self, path: Path | None) -> str | None:
        """The blob id of ``path`` when it is one of this cache's blobs."""
        if path is None or self.folder is None:
            return None
        name = path.name
        # As strings: a path made of ``blob_file`` reads back as it (``_blobs`` is one made by
        # ``Path``); making a ``Path`` to compare took half a second at 80,000 files.
        return name if _BLOB_ID.fullmatch(name) and str(path) == self.blob_file(name) else None

    def read(self, blob: str) -> bytes:
        with open(self.blob_file(blob), "rb") as kept:
            return kept.read()

    def has(self, unit: CachedUnit) -> bool:
        """Whether every blob of ``unit`` is a file of the cache (``holds``)."""
        blobs = [p.html for p in unit.pages] + [p.index for p in unit.pages if p.index] + \
            [b for _, how, b in unit.files if how == BLOB] + [unit.nquads]
        return all(map(self._listing().__contains__, blobs))  # (100,000 blobs in a rebuild)

    def holds(self, blob: str) -> bool:
        """Whether ``blob`` is a file of the cache, as it was when first asked."""
        return blob in self._listing()

    def take_listing(self) -> None:
        """Take the blob listing begun meanwhile (``list_meanwhile``) now: before this process
        forks another that may ask for it, which could not wait for it."""
        self._listing()

    def _listing(self) -> dict[str, int]:
        if self._present is None:
            listed, self._listed = self._listed, None
            if self._lister != os.getpid():  # forked since: the listing is not this one's
                listed = None
            try:
                self._present, self._device = listed.wait() if listed is not None else \
                    _list_blobs(self._blobs)
            except ForkedFailed:  # (it is listed here, then)
                self._present, self._device = _list_blobs(self._blobs)
        return self._present

    def identity(self, path: str) -> tuple[int, int] | None:
        """The device and inode of the blob file at ``path`` (``blob_file``) as the listing
        found it, when it can tell (``None``: ask the file system)."""
        listing = self._listing()  # (which tells the device)
        if self._device is None:
            return None
        inode = listing.get(path.rpartition("/")[2])
        return (self._device, inode) if inode is not None else None

    # -- the search index's shards ---------------------------------------------------------
    def shard(self, key: str) -> ShardFiles | None:
        """The files kept for the search index shard ``key``, when each is a file of the cache
        (a link could point anywhere: its shard is indexed again)."""
        files = self.shards.get(key)
        if files is None or self.folder is None:
            return None
        for _, blob in files:
            try:
                if not stat.S_ISREG(os.lstat(self.blob_file(blob)).st_mode):
                    return None
            except OSError:
                return None
        return files

    def keep_shards(self, shards: Mapping[str, ShardFiles]) -> None:
        """The shards the next ``save`` keeps, in place of the last build's."""
        self.shards = dict(shards)

    def keep_reports(self, reports: Mapping[str, CachedReport]) -> None:
        """The quality reports the next ``save`` keeps, in place of the last build's."""
        self.reports = dict(reports)

    # -- the index -------------------------------------------------------------------------
    def _load(self) -> tuple[dict[str, CachedUnit], dict[str, ShardFiles],
                             dict[str, CachedReport]] | None:
        """The index's units, shards and reports, with the changes of its delta file; ``None``
        when there is no valid index."""
        if self.folder is None:
            return None
        main = self._read(INDEX_FILE)
        if main is None or not main.id:
            return None
        units, shards, reports = main.units, main.shards, main.reports
        self._main = (main.id, dict(units), dict(reports))
        delta = self._read(DELTA_FILE)
        if delta is not None and delta.base == main.id:
            units.update(delta.units)
            reports.update(delta.reports)
            for record_id in delta.gone_units:
                units.pop(record_id, None)
            for record_id in delta.gone_reports:
                reports.pop(record_id, None)
            shards = delta.shards
        return units, shards, reports

    def _read(self, name: str) -> _IndexFile | None:
        """An index file of this cache's format and key, parsed."""
        assert self.folder is not None
        file = self.folder / name
        try:
            check_no_symlink(file, self.within)
            document = json.loads(file.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(document, dict) or document.get("format") != FORMAT or \
                document.get("key") != self.key or not isinstance(document.get("units"), dict):
            return None
        try:
            # Each distinct lookup once; a unit names its lookups by their place in the list.
            lookups = [(str(t), _key_from_json(k), str(d)) for t, k, d in document["lookups"]]
            gone = (document.get("gone_units", []), document.get("gone_reports", []))
            if not all(isinstance(ids, list) and all(isinstance(i, str) for i in ids)
                       for ids in gone):
                return None
        except (KeyError, TypeError, ValueError):
            return None
        return _IndexFile(
            _text_or_empty(document.get("id")), _text_or_empty(document.get("base")),
            self._load_units(document["units"], lookups),
            self._load_shards(document.get("shards")),
            self._load_reports(document.get("reports"), lookups), *gone)

    @staticmethod
    def _load_shards(raw: object) -> dict[str, ShardFiles]:
        shards: dict[str, ShardFiles] = {}
        for key, files in (raw.items() if isinstance(raw, dict) else ()):
            # Each path becomes a file of the site, each blob its content: both are checked.
            try:
                shards[_blob(key)] = _shard_files(files)
            except (TypeError, ValueError):
                continue
        return shards

    @staticmethod
    def _load_reports(raw: object, lookups: list[Read]) -> dict[str, CachedReport]:
        reports: dict[str, CachedReport] = {}
        for record_id, entry in (raw.items() if isinstance(raw, dict) else ()):
            try:
                reports[record_id] = CachedReport(_reads(entry["reads"], lookups),
                                                  _blob(entry["report"]))
            except (KeyError, TypeError, ValueError):
                continue
        return reports

    @staticmethod
    def _load_units(raw: dict[str, Any], lookups: list[Read]) -> dict[str, CachedUnit]:
        units: dict[str, CachedUnit] = {}
        for record_id, entry in raw.items():
            # Every name is checked: a page or file of the site comes from each.
            try:
                units[record_id] = CachedUnit(
                    _reads(entry["reads"], lookups),
                    tuple(CachedPage(_relative(p + "index.html").removesuffix("index.html"),
                                     None if date is None else str(date), _blob(html),
                                     None if index is None else _blob(index))
                          for p, date, html, index in entry["pages"]),
                    tuple(_file(path, how, ref) for path, how, ref in entry["files"]),
                    _blob(entry["nquads"]))
            except (KeyError, TypeError, ValueError):
                continue
        return units

    def save(self, units: Mapping[str, CachedUnit]) -> None:
        """Keep ``units``, the search index's shards (``keep_shards``) and the quality reports
        (``keep_reports``) as the cache's whole content and drop the blobs none uses."""
        if self.folder is None:
            return
        if units == self.units and self.shards == self._saved_shards and \
                self.reports == self._saved_reports and (self.folder / INDEX_FILE).is_file():
            self.digests.save()
            return
        main_id, main_units, main_reports = self._main
        changed_units = {i: u for i, u in units.items() if main_units.get(i) != u}
        changed_reports = {i: r for i, r in self.reports.items() if main_reports.get(i) != r}
        gone_units = sorted(set(main_units) - set(units))
        gone_reports = sorted(set(main_reports) - set(self.reports))
        small = (len(changed_units) + len(changed_reports) + len(gone_units) +
                 len(gone_reports)) * DELTA_SHARE <= len(units) + len(self.reports)
        try:
            check_no_symlink(self.folder, self.within)
            self.folder.mkdir(parents=True, exist_ok=True)
            if main_id and small:
                self._write(DELTA_FILE, changed_units, changed_reports, {
                    "base": main_id, "gone_units": gone_units, "gone_reports": gone_reports})
            else:
                main_id = os.urandom(16).hex()
                self._write(INDEX_FILE, units, self.reports, {"id": main_id})
                (self.folder / DELTA_FILE).unlink(missing_ok=True)
                self._main = (main_id, dict(units), dict(self.reports))
        except OSError:
            return
        used = _blobs_of(units, self.shards, self.reports)
        if self._swept:  # only blobs the last index or this build named can be unused
            unused = [self.blob_file(b) for b in (_blobs_of(
                self.units, self._saved_shards, self._saved_reports) | self._put) - used]
        else:
            unused = [entry.path for entry in _blob_entries(str(self.folder / BLOBS))
                      if entry.name not in used]
        self.units, self._saved_shards = dict(units), dict(self.shards)
        self._saved_reports = dict(self.reports)
        self.digests.save()
        for path in unused:
            with contextlib.suppress(OSError):
                os.unlink(path)
        self._put.clear()
        self._swept = True

    def _write(self, name: str, units: Mapping[str, CachedUnit],
               reports: Mapping[str, CachedReport], extra: dict[str, Any]) -> None:
        assert self.folder is not None
        lookups: dict[Read, int] = {}
        document = {"format": FORMAT, "key": self.key, **extra, "units": {
            record_id: {"reads": [lookups.setdefault(r, len(lookups)) for r in unit.reads],
                        "pages": [[p.path, p.date, p.html, p.index] for p in unit.pages],
                        "files": [list(f) for f in unit.files], "nquads": unit.nquads}
            for record_id, unit in sorted(units.items())},
            "shards": {key: [list(f) for f in files] for key, files in sorted(self.shards.items())},
            "reports": {record_id: {"reads": [lookups.setdefault(r, len(lookups))
                                              for r in kept.reads], "report": kept.report}
                        for record_id, kept in sorted(reports.items())}}
        document["lookups"] = [list(r) for r in lookups]
        write_text_no_follow(self.folder / name,
                             json.dumps(document, separators=(",", ":"), default=list),
                             within=self.within)

    def clear(self) -> None:
        if self.folder is not None and self.folder.is_dir() and not self.folder.is_symlink():
            shutil.rmtree(self.folder)


def _blobs_of(units: Mapping[str, CachedUnit], shards: Mapping[str, ShardFiles],
              reports: Mapping[str, CachedReport]) -> set[str]:
    used = {b for unit in units.values() for b in (
        unit.nquads, *(p.html for p in unit.pages), *(p.index for p in unit.pages if p.index),
        *(b for _, how, b in unit.files if how == BLOB))}
    used.update(blob for files in shards.values() for _, blob in files)
    used.update(kept.report for kept in reports.values())
    return used


def _entries(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


Listing = tuple[dict[str, int], int | None]
"""The blobs a folder holds with their inodes, and the folder's device when the listing's
inodes are those ``stat`` gives (``_list_blobs``)."""


def _list_blobs(blobs: str) -> Listing:
    """One listing of the blob folders: a rebuild asks after 100,000 blobs, and asking the
    file system about each took 0.4 s at 10,000 records."""
    entries = [entry for entry in _blob_entries(blobs) if entry.is_file(follow_symlinks=False)]
    present = {entry.name: entry.inode() for entry in entries}
    device = None
    with contextlib.suppress(OSError):
        # A listing's inode is the file's own, except on some file systems (overlays): then
        # every blob is asked about (``identity``).
        if entries and entries[0].stat(follow_symlinks=False).st_ino == entries[0].inode():
            device = os.stat(blobs).st_dev
    return present, device


def _blob_entries(folder: str) -> Iterator[os.DirEntry[str]]:
    """What the blob folders hold, from one listing of each (a symlink is never followed)."""
    if os.path.islink(folder):
        return
    for shard in _entries(folder):
        if shard.is_dir(follow_symlinks=False):
            yield from _entries(shard.path)
