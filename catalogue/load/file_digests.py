"""Digests of record folders: what a build compares to know which records changed.

A folder's digest covers the name and bytes of every file under it (a symlink counts by where
it points: the site never follows one). Hashing every artefact on every build would cost as much
as a build, so each file's sha256 is kept between runs (``<cache>/build/digests.json``) keyed by
its size, mtime, ctime and inode, and trusted only while all four still match and the file was
last modified more than ``RACY_NS`` before it was read.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import Any

import orjson

from catalogue.load.safe_write import check_no_symlink, write_bytes_no_follow

FORMAT = 1
CHUNK = 1 << 20
RACY_NS = 2_000_000_000
"""A file modified this close before it was read is hashed again before its remembered
digest is trusted (a later edit in the same clock tick could leave its times unchanged)."""


def stat_key(stat: os.stat_result) -> list[int]:
    """What says a file is unchanged on this machine: size, times and inode."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


SOURCE_SUFFIXES = frozenset({".py", ".html", ".css", ".js", ".json", ".csv", ".yaml", ".yml",
                             ".md", ".txt", ".svg", ".xsd"})
"""The files of a package that decide what it does: code, templates, data (not compiled
files)."""


def source_digest(folder: Path) -> str:
    """The digest of a package's files of ``SOURCE_SUFFIXES`` under ``folder``, by relative path
    and content: what a cache made by this code is valid for."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.suffix in SOURCE_SUFFIXES and "__pycache__" not in path.parts and \
                path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def sha256_of(path: str | Path) -> str:
    """The sha256 of the file's bytes, read a chunk at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class DigestNews:
    """What a process forked from a run learnt of the files (``FileDigests.news``), for the run
    to take in (``FileDigests.absorb``): its own digests are the ones saved."""

    files: dict[str, list[Any]]
    """The entries it added to the memo."""
    seen: set[str]
    folders: dict[str, str]


class FileDigests:
    """sha256 of files and digests of folders, remembered in ``memo_file`` (``None``: kept in
    memory only)."""

    def __init__(self, memo_file: Path | None, within: Path | None = None) -> None:
        self.memo_file = memo_file
        self.within = within
        self._memo: dict[str, list[Any]] = self._load()
        self._changed = False
        self._added: dict[str, list[Any]] = {}
        """The memo's entries made in this run."""
        self._seen: set[str] = set()
        """The files looked at in this run (they exist: the others are looked for on save)."""
        self._folders: dict[str, str] = {}
        self.hashed = 0
        """How many files this process had to read (the rest were known)."""

    def file(self, path: str | Path, stat: os.stat_result) -> str:
        key = str(path)
        self._seen.add(key)
        entry = self._memo.get(key)
        current = stat_key(stat)
        racy = stat.st_mtime_ns + RACY_NS > time.time_ns()
        if not racy and isinstance(entry, list) and len(entry) == 2 and entry[0] == current:
            return str(entry[1])
        digest = sha256_of(path)
        self.hashed += 1
        if not racy:
            self._memo[key] = self._added[key] = [current, digest]
            self._changed = True
        return digest

    def folder(self, folder: Path) -> str:
        """The digest of everything under ``folder`` (remembered for this run)."""
        top = str(folder)
        known = self._folders.get(top)
        if known is not None:
            return known
        digest = hashlib.sha256()
        for relative in sorted(_walk(top)):
            path = os.path.join(top, relative)
            try:
                stat = os.lstat(path)
                if S_ISLNK(stat.st_mode):
                    entry = "link:" + os.readlink(path)
                elif S_ISREG(stat.st_mode):
                    entry = self.file(path, stat)
                else:
                    continue
            except OSError as exc:
                entry = f"unreadable:{exc.errno}"
            digest.update(f"{relative}\0{entry}\n".encode("utf-8", "surrogateescape"))
        result = self._folders[top] = digest.hexdigest()
        return result

    def news(self) -> DigestNews:
        """What this process learnt that the run it was forked from did not know."""
        return DigestNews(self._added, self._seen, self._folders)

    def absorb(self, news: DigestNews) -> None:
        """Take in what a process forked from this one learnt (``news``)."""
        self._memo.update(news.files)
        self._added.update(news.files)
        self._changed = self._changed or bool(news.files)
        self._seen |= news.seen
        self._folders.update(news.folders)

    def save(self) -> None:
        """Best effort: a memo that cannot be written only makes the next run slower. The
        files of the memo not looked at in this run are kept while they exist (a run over the
        whole catalogue looks at nearly all: tens of thousands of them are not looked for
        again)."""
        if self.memo_file is None or not self._changed:
            return
        seen = self._seen
        live = {k: v for k, v in self._memo.items() if k in seen or os.path.lexists(k)}
        document = {"format": FORMAT, "files": live}
        try:
            content = orjson.dumps(document)
        except orjson.JSONEncodeError:  # (a file name that is not UTF-8)
            content = json.dumps(document, separators=(",", ":")).encode()
        try:
            check_no_symlink(self.memo_file.parent, self.within)
            self.memo_file.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_no_follow(self.memo_file, content, within=self.within)
            self._changed = False
        except OSError:
            pass

    def _load(self) -> dict[str, list[Any]]:
        if self.memo_file is None:
            return {}
        try:
            check_no_symlink(self.memo_file, self.within)
            content = self.memo_file.read_bytes()
        except OSError:
            return {}
        try:
            document = orjson.loads(content)
        except orjson.JSONDecodeError:  # (or written by ``json``, with a name not UTF-8)
            try:
                document = json.loads(content)
            except ValueError:
                return {}
        if not isinstance(document, dict) or document.get("format") != FORMAT or \
                not isinstance(document.get("files"), dict):
            return {}
        return document["files"]  # type: ignore[no-any-return]


def _walk(top: str) -> list[str]:
    """The files under ``top``, and the symlinks to folders, as paths relative to it (with
    ``/``, as on every system this runs on)."""
    found: list[str] = []
    folders = [("", top)]
    while folders:
        prefix, current = folders.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue  # (as os.walk: a folder that cannot be listed is passed over)
        for entry in entries:
            # A symlinked folder is listed as an entry, never walked into.
            if entry.is_dir(follow_symlinks=False):
                folders.append((prefix + entry.name + "/", entry.path))
            else:
                found.append(prefix + entry.name)
    return found
