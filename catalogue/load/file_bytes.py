"""A regular file's bytes, read with one open and at most a given number of them: what the
caches that key an entry by a file's hash read, so that what they keep is what those very bytes
give."""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISREG


def regular_file_bytes(path: Path, max_bytes: int, *,
                       follow_symlinks: bool = True) -> tuple[bytes, os.stat_result] | None:
    """The bytes of the regular file at ``path`` and its status, when it holds at most
    ``max_bytes``; ``None`` for anything else (a larger file, a folder, a device or pipe, one
    that cannot be read, and without ``follow_symlinks`` a symlink), which the caller then
    reads as it would without a cache, saying what is wrong."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)  # a pipe never blocks
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        handle = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as file:
        try:
            status = os.fstat(file.fileno())
            if not S_ISREG(status.st_mode) or status.st_size > max_bytes:
                return None
            raw = file.read(max_bytes + 1)
        except OSError:
            return None
    return (raw, status) if len(raw) <= max_bytes else None
