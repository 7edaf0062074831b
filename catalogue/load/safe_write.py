"""Writing a file into the catalogue (or any folder a command was given) without ever writing
through a symlink.

A pull request can commit a symlink where a command later writes (``parity-report.json``, a
record file, an export): writing to it would rewrite whatever file it points at, outside the
repository too. So a file is written beside its target and renamed over it (a rename replaces a
link, it never follows one), and a target that is a symlink, or lies in a folder that is one
(up to ``within``), is refused.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class SymlinkRefused(OSError):
    """The place to write is, or lies behind, a symlink; ``str()`` says which, and what to do."""


def check_no_symlink(path: Path, within: Path | None = None) -> None:
    """Refuse ``path`` if it, or a folder between it and ``within`` (by default: its own
    folder), is a symlink."""
    for place in (path, *path.parents):
        if within is not None and place == within:
            break
        if place.is_symlink():
            raise SymlinkRefused(f"{place} is a symlink; files are never written through one: "
                                 "replace the link with a real file or folder")
        if within is None and place == path.parent:
            break


def write_text_no_follow(path: Path, text: str, *, within: Path | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, refusing symlinks (see above)."""
    write_bytes_no_follow(path, text.encode("utf-8"), within=within)


def write_bytes_no_follow(path: Path, content: bytes, *, within: Path | None = None) -> None:
    """Write ``content`` to ``path`` atomically (a temporary file of its own, then renamed:
    two processes writing the same file never meet), refusing symlinks (see above)."""
    check_no_symlink(path, within)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(name, 0o666 & ~umask)  # like a file opened for writing, not mkstemp's 0600
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
