"""What loading each record gave (its document, its findings and its card as parsed), kept
between runs of ``omh validate`` on a few files, one file per record: checking a record and the
records that refer to it then parses and schema-checks only the files changed since the last
run. For a few records that work, and the libraries it loads (jsonschema; Python-Markdown,
which looks up every installed package's entry points to build its parser), cost more than the
rest of the run. (A run that loads every record keeps them in one file: ``record_cache``.)

``<cache>/validate/records/<digest of the record id>.pickle`` holds, for one *version*, the
sha256 of the record file's bytes with what loading those bytes gave, and the sha256 of the
card's bytes with the card parsed from them. Each part is used only while the file's bytes have
that sha256; a card only when it is a regular file, read with one open that follows no symlink
(a symlink, a folder or a missing card is read as without a cache). A part is kept only when
it is what the bytes that were looked up give: a record is then parsed from those very bytes,
and a card kept only if its text and size are theirs.

The version is ``record_cache.loader_version`` (the schemas, the code that reads records and
cards, the size limit) with the version of the licence check (``licence_verdicts``), Python's,
and the names of the distributions installed in site-packages (jsonschema, PyYAML and
Python-Markdown decide a result too).

The entries are pickles, so they are trusted only as the catalogue's own git-ignored cache: a
cache folder that git tracks is never read (``cache_dir.committed``, asked once a run, and only
when there is an entry to read), nor one reached through a symlink.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import site
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalogue.load.cache_dir import committed
from catalogue.load.file_bytes import regular_file_bytes
from catalogue.load.safe_write import check_no_symlink, write_bytes_no_follow
from catalogue.model.card import Card
from catalogue.model.findings import Finding
from catalogue.model.yaml_source import YamlDocument

FORMAT = 1
FOLDER = Path("validate") / "records"
MAX_CARD_BYTES = 4 * 1024**2
"""A card larger than this is parsed every time (and never read twice to be kept)."""
Loaded = tuple[YamlDocument | None, list[Finding]]
"""A record file's document (``None``: it could not be read as a record) and findings."""
_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
               IndexError, TypeError, ValueError)


def cache_version(loader: str) -> str:
    """``loader`` (``record_cache.loader_version``) with what else decides a record's or a
    card's load: the licence check, Python and the installed distributions."""
    from catalogue.load.licence_verdicts import checker_version

    digest = hashlib.sha256(f"{loader}\0{checker_version()}\0{sys.version}".encode())
    for name in installed_distributions():
        digest.update(f"\0{name}".encode())
    return digest.hexdigest()


@functools.cache
def installed_distributions() -> tuple[str, ...]:
    """The metadata folders (``name-version.dist-info``) in the site-packages folders: they
    change when a library is installed, upgraded or removed (looked at once a process: its
    libraries are those it has loaded)."""
    folders = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        folders.append(site.getusersitepackages())
    found: set[str] = set()
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                found.update(e.name for e in entries
                             if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return tuple(sorted(found))


class LoadedRecords:
    """The kept loads of one catalogue's records, by record id."""

    def __init__(self, cache_dir: Path, within: Path | None, version: str) -> None:
        self.cache_dir = cache_dir
        self.folder = cache_dir / FOLDER
        self.within = within
        self.version = version
        self._trusted: bool | None = None
        self._entries: dict[str, dict[str, Any]] = {}
        """Each entry read or changed during this run."""
        self._changed: set[str] = set()
        self._card_bytes: dict[str, bytes] = {}
        """The bytes of each card looked up and not found: what a card kept for it must be
        the parse of."""
        self.hits = 0
        self.card_hits = 0

    # -- records ------------------------------------------------------------------------------
    def record(self, record_id: str, raw: bytes) -> Loaded | None:
        """What loading the record file's bytes ``raw`` gave on an earlier run."""
        part = self._entry(record_id).get("record")
        if not (isinstance(part, tuple) and len(part) == 3 and part[0] == _sha256(raw)
                and (part[1] is None or isinstance(part[1], YamlDocument))
                and isinstance(part[2], list)):
            return None
        self.hits += 1
        return part[1], part[2]

    def put_record(self, record_id: str, raw: bytes, loaded: Loaded) -> None:
        """Keep ``loaded``, what loading the bytes ``raw`` gave."""
        self._entry(record_id)["record"] = (_sha256(raw), *loaded)
        self._changed.add(record_id)

    # -- cards --------------------------------------------------------------------------------
    def card(self, record_id: str, path: Path) -> Card | None:
        """The card at ``path`` as parsed by an earlier run, if its bytes are the same."""
        raw = _card_bytes(path)
        if raw is None:
            return None
        part = self._entry(record_id).get("card")
        if isinstance(part, tuple) and len(part) == 2 and part[0] == _sha256(raw) \
                and isinstance(part[1], Card):
            self.card_hits += 1
            return part[1]
        self._card_bytes[record_id] = raw
        return None

    def put_card(self, record_id: str, card: Card) -> None:
        """Keep ``card``, read during this run for a card looked up as ``record_id`` and not
        found, if it is the parse of the bytes seen then."""
        raw = self._card_bytes.pop(record_id, None)
        if raw is None or not card.readable or len(raw) != card.size_bytes or \
                _text(raw) != card.text:
            return
        self._entry(record_id)["card"] = (_sha256(raw), card)
        self._changed.add(record_id)

    # -- the files ----------------------------------------------------------------------------
    def save(self) -> None:
        """Write the entries changed during this run (best effort)."""
        if not self._changed or not self._trust():
            return
        try:
            check_no_symlink(self.folder, self.within)
            self.folder.mkdir(parents=True, exist_ok=True)
            for record_id in sorted(self._changed):
                document = {"format": FORMAT, "version": self.version,
                            "parts": self._entries[record_id]}
                write_bytes_no_follow(self._file(record_id), pickle.dumps(
                    document, protocol=pickle.HIGHEST_PROTOCOL), within=self.within)
        except (OSError, pickle.PicklingError):
            pass
        self._changed.clear()

    def _entry(self, record_id: str) -> dict[str, Any]:
        entry = self._entries.get(record_id)
        if entry is None:
            entry = self._entries[record_id] = self._read(record_id)
        return entry

    def _read(self, record_id: str) -> dict[str, Any]:
        file = self._file(record_id)
        if not file.is_file() or not self._trust():
            return {}
        try:
            check_no_symlink(file, self.within)
            document: Any = pickle.loads(file.read_bytes())
        except _UNREADABLE:
            return {}
        if not isinstance(document, dict) or document.get("format") != FORMAT or \
                document.get("version") != self.version or \
                not isinstance(document.get("parts"), dict):
            return {}
        return dict(document["parts"])

    def _file(self, record_id: str) -> Path:
        return self.folder / _file_name(record_id)

    def _trust(self) -> bool:
        """Whether the cache is this machine's own (asked of git once)."""
        if self._trusted is None:
            self._trusted = not committed(self.cache_dir, self.within)
        return self._trusted


def _file_name(record_id: str) -> str:
    return f"{hashlib.sha256(record_id.encode()).hexdigest()[:32]}.pickle"


def forget_others(cache_dir: Path, within: Path | None, record_ids: Iterable[str]) -> None:
    """Remove the entries of records that are no longer among ``record_ids`` (deleted or
    renamed since): a run that loads every record knows them all (best effort)."""
    folder = cache_dir / FOLDER
    if not folder.is_dir() or committed(cache_dir, within):
        return
    keep = {_file_name(record_id) for record_id in record_ids}
    try:
        check_no_symlink(folder, within)
        with os.scandir(folder) as entries:
            stale = [entry.path for entry in entries
                     if entry.name.endswith(".pickle") and entry.name not in keep]
        for path in stale:
            os.unlink(path)
    except OSError:
        return


def record_bytes(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of a record file of at most ``max_bytes`` (``None`` for a larger file, or one
    that cannot be read: ``read_yaml_file`` then says which)."""
    found = regular_file_bytes(path, max_bytes)
    return found[0] if found is not None else None


def _card_bytes(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a symlink) of a card's size."""
    found = regular_file_bytes(path, MAX_CARD_BYTES, follow_symlinks=False)
    return found[0] if found is not None else None


def _text(raw: bytes) -> str | None:
    """The text ``parse_card`` reads from ``raw`` (``None``: not UTF-8)."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
