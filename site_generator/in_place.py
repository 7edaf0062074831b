"""``omh serve`` builds the site in place: each build leaves the last one's files where they are
and changes only what changed, instead of emptying the folder and writing (or linking) every
file again, which was a third of an edit's wait at 1,000 records.

Two things make that safe:

- a reused page or file is a hard link to a blob of the build cache, and MkDocs writes a file by
  opening the path for writing, which would write through the link into the blob. Every path
  MkDocs writes in this build is unlinked first (``unlink_written``);
- a record deleted or renamed leaves files no build writes any more. After the build, every file
  the build did not write or place is removed (``remove_stale``), so the folder holds what a
  build into an empty folder would.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from catalogue.load.forked import ForkedFailed, run_forked


def unlink_written(site_dir: Path, paths: Iterable[str]) -> None:
    """Remove whatever is at each of ``paths`` (relative to ``site_dir``) before it is written:
    a link is removed, never written through."""
    for path in paths:
        # Nothing there, or a folder where a file goes (MkDocs reports that itself).
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(os.path.join(site_dir, path))


class StaleNotRemoved(OSError):
    """A file or folder of the last build could not be removed (``remove_stale_meanwhile``)."""


def remove_stale(site_dir: Path, expected: set[str], managed: Iterable[str] = ()) -> None:
    """Remove every file (or link) under ``site_dir`` whose path is not in ``expected``, and
    the folders left empty, except under the top-level folders ``managed`` (kept by whoever
    writes them). A link to a folder is removed, never followed. A folder an expected file
    lies in is kept even while it is empty: the build may be placing that file meanwhile."""
    skipped = set(managed)
    kept = {path[:cut] for path in expected for cut in _folder_ends(path)}

    def sweep(folder: str, prefix: str) -> bool:
        """Whether ``folder`` is empty afterwards."""
        empty = True
        with os.scandir(folder) as entries:
            for entry in entries:
                path = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if not prefix and entry.name in skipped:
                        empty = False
                    elif sweep(entry.path, path + "/") and path not in kept:
                        os.rmdir(entry.path)
                    else:
                        empty = False
                elif path in expected:
                    empty = False
                else:
                    os.unlink(entry.path)
        return empty

    if site_dir.is_dir() and not site_dir.is_symlink():
        sweep(str(site_dir), "")


def _folder_ends(path: str) -> Iterable[int]:
    """Where each folder of ``path`` ends ("a/b/c": "a", "a/b")."""
    end = path.find("/")
    while end > 0:
        yield end
        end = path.find("/", end + 1)


def remove_stale_meanwhile(site_dir: Path, expected: set[str], managed: Iterable[str],
                           jobs: int) -> Callable[[], None]:
    """``remove_stale``, in a process forked from this one when there are ``jobs`` to spare,
    while this one places and indexes the rest of the site (every file it places is in
    ``expected``, in a folder the sweep keeps); returns what waits for it to be done, which
    raises ``StaleNotRemoved`` when it could not be.

    A rebuild from the site before last walks that site's 86,000 files at 10,000 records:
    0.7 s that were the last thing a rebuild did before it kept its cache. It is waited for
    last, so it runs on what the cores have to spare (``background``)."""
    managed = tuple(managed)
    sweeping = run_forked(lambda: remove_stale(site_dir, expected, managed), background=True) \
        if jobs > 1 else None

    def wait() -> None:
        try:
            if sweeping is None:
                remove_stale(site_dir, expected, managed)
            else:
                sweeping.wait()
        except (ForkedFailed, OSError) as exc:
            raise StaleNotRemoved(f"the last build's files could not all be removed from "
                                  f"{site_dir}: {exc}") from None

    return wait
