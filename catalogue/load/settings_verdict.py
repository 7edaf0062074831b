"""Whether ``catalogue.yaml`` was found valid by an earlier run, so that ``omh validate`` on a few
files need not load jsonschema to check it again while it has not changed.

``<cache>/validate/settings.json`` says that the file of this size, times, inode and sha256
passed every check of ``settings_file``, for one *version* (``loaded_records.cache_version`` of
the loader with ``settings_file.py``). Only a valid file is remembered, in the cache folder it
names; a file is looked up in the folder its ``artefacts.cache_dir`` names before it is
checked, and only a verdict for its own bytes and status counts. A committed verdict cannot
pass for a checkout's own: the inode and ctime of a file are the machine's, not the
repository's. The verdict is JSON (text, never code), neither read nor written through a
symlink.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from catalogue.load.cache_dir import cache_location
from catalogue.load.file_bytes import regular_file_bytes
from catalogue.load.file_digests import stat_key
from catalogue.load.safe_write import check_no_symlink, write_text_no_follow
from catalogue.model.settings import DEFAULT_CACHE_DIR, ArtefactSettings, Settings
from catalogue.model.yaml_source import DEFAULT_MAX_BYTES

FORMAT = 1
VERDICT_FILE = Path("validate") / "settings.json"


class SettingsVerdict:
    """What an earlier run said of the settings file ``path``, read as ``raw``."""

    def __init__(self, root: Path, path: Path, raw: bytes, key: list[int]) -> None:
        self.root = root
        self.path = path
        self.raw = raw
        """The file's bytes: the settings are parsed from these very bytes."""
        self.key = key
        self._version: str | None = None

    @classmethod
    def read(cls, root: Path, path: Path) -> SettingsVerdict | None:
        """The file's bytes and status (``None`` when it is too large or cannot be read: it
        is then read and checked as without a cache)."""
        found = regular_file_bytes(path, DEFAULT_MAX_BYTES)
        if found is None or len(found[0]) != found[1].st_size:
            return None
        return cls(root, path, found[0], stat_key(found[1]))

    def known_valid(self, value: dict[str, Any]) -> bool:
        """Whether an earlier run found these very bytes valid (``value``: what they hold)."""
        artefacts = value.get("artefacts")
        named = artefacts.get("cache_dir") if isinstance(artefacts, dict) else None
        where = ArtefactSettings(cache_dir=named if isinstance(named, str) else DEFAULT_CACHE_DIR)
        file, within = self._file(where)
        try:
            check_no_symlink(file, within)
            if not file.is_file():
                return False
            document: Any = json.loads(file.read_bytes())
            version = self._checker()
        except (OSError, ValueError):
            return False
        return isinstance(document, dict) and document == self._verdict(version)

    def remember(self, settings: Settings) -> None:
        """Keep that the file is valid (best effort; not if it changed since it was read)."""
        file, within = self._file(settings.artefacts)
        try:
            if stat_key(os.stat(self.path)) != self.key:
                return
            check_no_symlink(file.parent, within)
            file.parent.mkdir(parents=True, exist_ok=True)
            write_text_no_follow(file, json.dumps(self._verdict(self._checker())),
                                 within=within)
        except OSError:
            pass

    def _verdict(self, version: str) -> dict[str, Any]:
        return {"format": FORMAT, "version": version, "file": self.key,
                "sha256": hashlib.sha256(self.raw).hexdigest(), "valid": True}

    def _file(self, artefacts: ArtefactSettings) -> tuple[Path, Path | None]:
        cache_dir, within = cache_location(self.root, artefacts)
        return cache_dir / VERDICT_FILE, within

    def _checker(self) -> str:
        if self._version is None:
            self._version = settings_version()
        return self._version


def settings_version() -> str:
    """What decides whether a settings file is valid besides its bytes: the schemas, the code
    that reads and checks it, the libraries."""
    from catalogue.load.loaded_records import cache_version
    from catalogue.load.record_cache import loader_version
    from catalogue.load.schema_dir import SCHEMA_DIR

    checks = Path(__file__).resolve().parent / "settings_file.py"
    loader = loader_version(sorted(SCHEMA_DIR.glob("*.json")), DEFAULT_MAX_BYTES)
    return cache_version(f"{loader}\0{hashlib.sha256(checks.read_bytes()).hexdigest()}")
