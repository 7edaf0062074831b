"""Each record's findings from the checks that read nothing but the record's own folder
(``catalogue.check.registry.own_folder_checks``), kept between runs that check the whole
catalogue, by the digest of everything in that folder.

A record whose folder is unchanged (the record file, its card, every file it ships: digested
through ``file_digests``, so an unchanged file is not read again) has the findings it had. A
record that points at a file outside its folder (a URL) is always checked: what the checks
find may depend on whether the artefact cache holds that file. The memo is valid for one
*version*: the digest of the catalogue package's code, of the installed libraries, and of the
settings. It is a pickle, trusted only as the catalogue's own git-ignored cache: a cache
folder that git tracks is neither read nor written (``cache_dir.committed``).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalogue.load.cache_dir import committed
from catalogue.load.file_digests import FileDigests, source_digest
from catalogue.load.loaded_records import cache_version
from catalogue.load.safe_write import check_no_symlink, write_bytes_no_follow
from catalogue.model.findings import Finding

FORMAT = 1
FOLDER = "load"
FINDINGS_FILE = "findings.pickle"
Entry = tuple[str, list[Finding]]
"""The folder's digest, and the findings."""


def checks_version(settings: Any) -> str:
    """The digest of what decides the findings besides the record's folder: the catalogue
    package's code and data, the settings, and the installed libraries (``cache_version``)."""
    digest = hashlib.sha256(repr((FORMAT, settings)).encode())
    digest.update(source_digest(Path(__file__).resolve().parents[1]).encode())
    return cache_version(digest.hexdigest())


class FindingsMemo:
    """Findings by record id and folder digest, from the last whole run and for the next."""

    def __init__(self, cache_dir: Path, within: Path | None, version: str,
                 digests: FileDigests) -> None:
        """``digests``: how the record folders are digested (the record cache's, which the
        build's lookups use too)."""
        self.file = cache_dir / FOLDER / FINDINGS_FILE
        self.digests = digests
        self.within = within
        self.version = version
        self.usable = not committed(cache_dir, within)
        self._kept: dict[str, Entry] = self._load() if self.usable else {}
        self._now: dict[str, Entry] = {}
        self.hits = 0

    def __len__(self) -> int:
        """How many records' findings the last run kept."""
        return len(self._kept)

    def kept(self, record_id: str, folder: Path) -> list[Finding] | None:
        """The findings kept for the record while its ``folder`` is as it was (kept for the
        next run too), else None: check it and ``keep`` them."""
        folder_digest = self.digests.folder(folder)
        entry = self._kept.get(record_id)
        if entry is None or entry[0] != folder_digest:
            return None
        self.hits += 1
        self._now[record_id] = entry
        return list(entry[1])

    def keep(self, record_id: str, folder: Path, findings: Iterable[Finding]) -> None:
        """Keep the findings the record's ``folder`` gives now, for the next run."""
        self._now[record_id] = (self.digests.folder(folder), list(findings))

    def save(self) -> None:
        """Keep the entries of this run (best effort); nothing is written when they are those
        read."""
        if not self.usable or self._now == self._kept:
            return
        content = pickle.dumps({"format": FORMAT, "version": self.version,
                                "entries": self._now}, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            check_no_symlink(self.file.parent, self.within)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_no_follow(self.file, content, within=self.within)
        except OSError:
            return

    def _load(self) -> dict[str, Entry]:
        try:
            check_no_symlink(self.file, self.within)
            with open(self.file, "rb") as handle:
                kept = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                IndexError, TypeError, ValueError):  # missing or damaged: check again
            return {}
        if not isinstance(kept, dict) or kept.get("format") != FORMAT or \
                kept.get("version") != self.version or not isinstance(kept.get("entries"), dict):
            return {}
        entries: dict[str, Entry] = kept["entries"]
        return entries
