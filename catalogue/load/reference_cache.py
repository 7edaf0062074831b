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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalogue.load.file_digests import RACY_NS, stat_key
from catalogue.load.safe_write import check_no_symlink, write_text_no_follow
from catalogue.model.kinds import KINDS_BY_FOLDER

FORMAT = 2
INDEX_FILE = Path("validate") / "mentions.json"
REWRITE_SHARE = 256
"""The index is written again when it could not be used, or once one in this many of its entries
changed (files read again, added or gone): until then a run reads the few changed files again,
which costs less than writing the index of a large catalogue on every commit."""

_MENTION = re.compile(
    rb"(?:" + b"|".join(re.escape(f.encode()) for f in sorted(KINDS_BY_FOLDER)) +
    rb")/[^\s'\"\[\]{},#]+")


def mentions(raw: bytes) -> frozenset[str]:
    """The record-id-like runs in a record file's bytes (see the module docstring)."""
    return frozenset(m.decode("utf-8", "replace") for m in _MENTION.findall(raw))


class MentionIndex:
    """Mentions of every record file of one catalogue; ``cache_dir`` ``None`` keeps nothing.

    An entry is ``[stat key, sha256 or None, mentions]``, the mentions sorted and joined by
    spaces (a mention holds none): a catalogue's index is read on every ``omh validate``, and
    one string per file is quicker to read and to search than a list."""

    def __init__(self, cache_dir: Path | None, within: Path | None = None) -> None:
        self.file = None if cache_dir is None else cache_dir / INDEX_FILE
        self.within = within
        self.read_files = 0
        """How many record files the last ``mentioning`` had to read (the rest came from
        cache)."""

    def mentioning(self, targets: set[str], files: Mapping[str, str],
                   stats: Mapping[str, os.stat_result] | None = None) -> set[str]:
        """Ids of the records whose file mentions any of ``targets``, of the files in ``files``
        (record id -> file name), with ``stats`` the files' status when known; a file that
        cannot be read mentions nothing. Saves the index (see ``REWRITE_SHARE``)."""
        cached = self._load()
        entries: dict[str, list[Any]] = {}
        found: set[str] = set()
        carried = changed = 0
        self.read_files = 0
        known = stats or {}
        for record_id, name in files.items():
            stat = known.get(record_id) or _stat(name)
            if stat is None:
                continue
            previous = cached.get(record_id)
            entry = _trusted(previous, stat, name)
            if entry is None:
                entry = self._read(name, stat)
                if entry is None:
                    continue
            carried += previous is not None
            changed += entry is not previous
            entries[record_id] = entry
            text: str = entry[2]
            if text and not targets.isdisjoint(text.split(" ")):
                found.add(record_id)
        gone = len(cached) - carried
        if (not cached and entries) or changed + gone >= max(1, len(entries) // REWRITE_SHARE):
            self._save(entries)
        return found

    def _read(self, name: str, stat: os.stat_result) -> list[Any] | None:
        try:
            with open(name, "rb") as handle:
                raw = handle.read()
        except OSError:
            return None
        self.read_files += 1
        racy = stat.st_mtime_ns + RACY_NS > time.time_ns()
        digest = hashlib.sha256(raw).hexdigest() if racy else None
        return [stat_key(stat), digest, " ".join(sorted(mentions(raw)))]

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


def _stat(name: str) -> os.stat_result | None:
    try:
        return os.stat(name)
    except OSError:
        return None


def _trusted(entry: Any, stat: os.stat_result, name: str) -> list[Any] | None:
    """``entry`` if it is well formed and still describes the file, else ``None``."""
    if not (type(entry) is list and len(entry) == 3 and type(entry[2]) is str
            and entry[0] == [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]):
        return None
    digest = entry[1]
    if digest is None:
        return entry
    if not isinstance(digest, str):
        return None
    try:
        with open(name, "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    if hashlib.sha256(raw).hexdigest() != digest:
        return None
    if stat.st_mtime_ns + RACY_NS <= time.time_ns():
        return [entry[0], None, entry[2]]  # no longer racy: the times alone will do
    return entry
