"""What ``catalogue.model.licenses.check_spdx_expression`` said of each licence expression, kept
between runs.

Checking one expression first builds license-expression's table of every SPDX identifier, which
costs more than the rest of a one-file ``omh validate``; the verdict depends only on the
expression and on the code that checks it, and a catalogue writes the same few expressions over
and over.

The verdicts (``<cache>/validate/licences.json``) hold for one *checker*: the digest of
``licenses.py`` and of the size, times and inode of every file of license-expression and
boolean.py, so that upgrading either, or editing the check, starts from nothing. A file that is
unreadable, malformed or for another checker is ignored whole. A committed file cannot pass for
a checkout's own: the inode and ctime of the libraries' files are the machine's. The verdicts
are JSON (text, never code) and are neither read nor written through a symlink.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from catalogue.load.file_digests import stat_key
from catalogue.load.safe_write import check_no_symlink, write_text_no_follow

FORMAT = 1
VERDICTS_FILE = Path("validate") / "licences.json"
LIBRARIES = ("license_expression", "boolean")
"""The packages whose code and data decide a verdict."""
MAX_VERDICTS = 4096
"""Expressions kept at most (as many as ``check_spdx_expression`` keeps in memory)."""


@functools.cache
def checker_version() -> str:
    """The digest of what decides a verdict besides the expression (see the module docstring;
    looked at once a process)."""
    checker = Path(__file__).resolve().parent.parent / "model" / "licenses.py"
    digest = hashlib.sha256(checker.read_bytes())
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)  # the package's folder, without importing it
        for folder in (spec.submodule_search_locations or []) if spec is not None else []:
            for path in sorted(_files(folder)):
                digest.update(f"{path}\0{stat_key(os.stat(path))}\n".encode())
    return digest.hexdigest()


def _files(folder: str) -> list[str]:
    found: list[str] = []
    for current, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if f != "__pycache__"]
        found.extend(os.path.join(current, name) for name in files)
    return found


class LicenceVerdicts:
    """``problem(expression)``: ``check_spdx_expression``'s answer, from the cache when it has
    one; ``cache_dir`` ``None`` keeps nothing between runs."""

    def __init__(self, cache_dir: Path | None, within: Path | None = None) -> None:
        self.file = None if cache_dir is None else cache_dir / VERDICTS_FILE
        self.within = within
        self._version: str | None = None
        self._verdicts: dict[str, str | None] | None = None
        self.checked = 0
        """How many expressions had to be checked (the rest were known)."""

    def problem(self, expression: str) -> str | None:
        """``None`` for a valid expression written canonically, otherwise what is wrong."""
        verdicts = self._known()
        if expression in verdicts:
            return verdicts[expression]
        from catalogue.model.licenses import check_spdx_expression  # the SPDX list: slow

        verdict = check_spdx_expression(expression)
        self.checked += 1
        if len(verdicts) < MAX_VERDICTS:
            verdicts[expression] = verdict
            self._save(verdicts)
        return verdict

    def ready(self) -> None:
        """Read the verdicts known and load the checker, once, before forking workers that
        ask (each would otherwise do both)."""
        self._known()
        import catalogue.model.licenses  # noqa: F401

    def _known(self) -> dict[str, str | None]:
        if self._verdicts is None:
            self._verdicts = self._load()
        return self._verdicts

    def _checker(self) -> str:
        if self._version is None:
            self._version = checker_version()
        return self._version

    def _load(self) -> dict[str, str | None]:
        if self.file is None:
            return {}
        try:
            check_no_symlink(self.file, self.within)
            document: Any = json.loads(self.file.read_bytes())
            checker = self._checker()
        except (OSError, ValueError):
            return {}
        if not isinstance(document, dict) or document.get("format") != FORMAT \
                or document.get("checker") != checker \
                or not isinstance(document.get("verdicts"), dict):
            return {}
        return {expression: verdict for expression, verdict in document["verdicts"].items()
                if verdict is None or isinstance(verdict, str)}

    def _save(self, verdicts: dict[str, str | None]) -> None:
        """Best effort: verdicts that cannot be kept only make the next run slower."""
        if self.file is None:
            return
        try:
            document = {"format": FORMAT, "checker": self._checker(), "verdicts": verdicts}
            check_no_symlink(self.file.parent, self.within)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_text_no_follow(self.file, json.dumps(document, separators=(",", ":"),
                                                       sort_keys=True), within=self.within)
        except OSError:
            pass
