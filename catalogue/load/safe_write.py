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
import threading
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
    """Write ``content`` to ``path`` atomically, refusing symlinks (see above)."""
    check_no_symlink(path, within)
    replace_file(str(path), content)


def write_named_by_content(path: str, content: bytes) -> None:
    """Write ``content`` to ``path``, a file named by the digest of its bytes (a cache's blob):
    created in place, never through a symlink (``O_EXCL``: a link there is not followed); a
    file already there is left as it is, holding these bytes, unless its size says otherwise
    (a build killed while writing it left it short, or it is a link): then it is replaced
    (``replace_file``). No temporary file and no rename, for the 100,000 blobs of a full
    build. The caller has checked the folders, as for ``replace_file``."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        if os.lstat(path).st_size != len(content) or os.path.islink(path):
            replace_file(path, content)
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def replace_file(path: str, content: bytes) -> None:
    """Write ``content`` to ``path`` whole or not at all: into a file of this thread's own
    beside it (two processes or threads writing the same file never meet), then renamed over
    ``path``, which a rename never follows. The caller has checked the folders (``check_no_
    symlink``): a build writing 100,000 files in a few folders checks each folder once."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}-{threading.get_ident()}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                     | os.O_CLOEXEC, 0o666)  # (the umask applies, as to any file written)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
