"""Which record ids each record file mentions, kept between runs so that ``omh validate`` on one
file need not read every record file to find the records that refer to it.

A record file's *mentions* are the maximal runs of characters ``<kind folder>/...`` up to
whitespace, a quote or a YAML flow or comment character: every record id the file writes out,
plus anything else that looks like one. It is a filter: ``RecordStore.referrers`` confirms each
candidate against the record's declared reference fields.

The index (``<cache>/validate/mentions.json``) keys each file by its record id, size, mtime,
ctime and inode. An entry is trusted only if all of those still match, and, when the file was
modified less than ``RACY_NS`` before it was read (a later edit in the same clock tick could
leave its times unchanged), only if the file's sha256 still matches too. A cache file that is
unreadable, malformed or of another format is ignored whole; a malformed entry is read again.
A committed cache file cannot pass for a checkout's own: the inode and ctime of a file are the
machine's, not the repository's.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from catalogue.load.file_digests import RACY_NS, stat_key
from catalogue.load.safe_write import check_no_symlink, write_text_no_follow
from catalogue.model.kinds import KINDS_BY_FOLDER

FORMAT = 1
INDEX_FILE = Path("validate") / "mentions.json"

_MENTION = re.compile(
    rb"(?:" + b"|".join(re.escape(f.encode()) for f in sorted(KINDS_BY_FOLDER)) +
    rb")/[^\s'\"\[\]{},#]+")


def mentions(raw: bytes) -> frozenset[str]:
    """The record-id-like runs in a record file's bytes (see the module docstring)."""
    return frozenset(m.decode("utf-8", "replace") for m in _MENTION.findall(raw))


class MentionIndex:
    """Mentions of every record file of one catalogue; ``cache_dir`` ``None`` keeps nothing."""

    def __init__(self, cache_dir: Path | None, within: Path | None = None) -> None:
        self.file = None if cache_dir is None else cache_dir / INDEX_FILE
        self.within = within
        self.read_files = 0
        """How many record files the last ``collect`` had to read (the rest came from cache)."""

    def collect(self, paths: Mapping[str, Path],
                stats: Mapping[str, os.stat_result] | None = None) -> dict[str, frozenset[str]]:
        """Mentions of each record file in ``paths`` (record id -> file), with ``stats`` the
        files' status when known; a file that cannot be read mentions nothing. Saves the index
        when anything in it changed."""
        cached = self._load()
        entries: dict[str, list[Any]] = {}
        result: dict[str, frozenset[str]] = {}
        self.read_files = 0
        for record_id, path in paths.items():
            stat = (stats or {}).get(record_id)
            if stat is None:
                try:
                    stat = os.stat(path)
                except OSError:
                    result[record_id] = frozenset()
                    continue
            entry = _trusted(cached.get(record_id), stat, path)
            if entry is None:
                entry = self._read(path, stat)
                if entry is None:
                    result[record_id] = frozenset()
                    continue
            entries[record_id] = entry
            result[record_id] = frozenset(entry[2])
        if entries != cached:
            self._save(entries)
        return result

    def _read(self, path: Path, stat: os.stat_result) -> list[Any] | None:
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        self.read_files += 1
        racy = stat.st_mtime_ns + RACY_NS > time.time_ns()
        digest = hashlib.sha256(raw).hexdigest() if racy else None
        return [stat_key(stat), digest, sorted(mentions(raw))]

    def _load(self) -> dict[str, list[Any]]:
        if self.file is None:
            return {}
        try:
            check_no_symlink(self.file, self.within)  # nor read through a committed link
            document = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(document, dict) or document.get("format") != FORMAT \
                or document.get("folders") != sorted(KINDS_BY_FOLDER) \
                or not isinstance(document.get("files"), dict):
            return {}
        return document["files"]  # type: ignore[no-any-return]

    def _save(self, entries: dict[str, list[Any]]) -> None:
        """Best effort: a cache that cannot be written only makes the next run slower."""
        if self.file is None:
            return
        document = {"format": FORMAT, "folders": sorted(KINDS_BY_FOLDER), "files": entries}
        try:
            check_no_symlink(self.file.parent, self.within)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_text_no_follow(self.file, json.dumps(document, separators=(",", ":")),
                                 within=self.within)
        except OSError:
            pass


def _trusted(entry: Any, stat: os.stat_result, path: Path) -> list[Any] | None:
    """``entry`` if it is well formed and still describes the file, else ``None``."""
    if not (isinstance(entry, list) and len(entry) == 3 and entry[0] == stat_key(stat)
            and isinstance(entry[2], list) and all(isinstance(m, str) for m in entry[2])):
        return None
    digest = entry[1]
    if digest is None:
        return entry
    if not isinstance(digest, str):
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(raw).hexdigest() != digest:
        return None
    if stat.st_mtime_ns + RACY_NS <= time.time_ns():
        return [entry[0], None, entry[2]]  # no longer racy: the times alone will do
    return entry


def referrer_candidates(index: Mapping[str, Iterable[str]], targets: set[str]) -> set[str]:
    """Ids of the records whose mentions include any of ``targets``."""
    return {record_id for record_id, found in index.items() if not targets.isdisjoint(found)}
