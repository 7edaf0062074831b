"""The site's output folder: built aside, then swapped in whole; never a folder the build did not
make, never through a symlink.

A build writes into a new folder beside the target (``.<name>.omh-build-<random>``, on the same
file system), marks it with ``MARKER`` and, once it is complete, swaps it with the target in one
step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames a moment apart). A build that is
interrupted, even by ``kill -9``, leaves the previous site as it was, never half a site. The
previous site, renamed ``.<name>.omh-old-<random>``, is removed by a process of its own that
outlives the build (tens of thousands of files take seconds to unlink; nobody waits for them),
or by the next build if that process was stopped; a build with the cache keeps it instead, as
the next build's starting point (``.<name>.omh-spare``, see ``spare_site``). The
folder it replaces must hold the marker a build wrote: any other non-empty folder is refused, and
so is a target that is a symlink or lies behind one inside the catalogue, whatever it points at.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from catalogue.model.kinds import KINDS_BY_FOLDER

MARKER = ".omh-site"
MARKER_TEXT = ("This folder was built by omh build, which replaces it whole at every build; "
               "do not keep other files here.\n")
STAGING = ".{name}.omh-build-"
OLD = ".{name}.omh-old-"
SPARE = ".{name}.omh-spare"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class UnsafeSiteDir(Exception):
    """A folder the build will not write into; the message says why and what to do."""


def _symlink_on_the_way(root: Path, site_dir: Path) -> Path | None:
    """The first symlink among ``site_dir`` and its parents inside ``root``."""
    if site_dir.is_symlink():
        return site_dir
    if site_dir.is_relative_to(root):
        for parent in site_dir.parents:
            if parent == root:
                break
            if parent.is_symlink():
                return parent
    return None


def check_site_dir(root: Path, site_dir: Path) -> None:
    """Refuse an output folder that is not safe to replace. ``site_dir`` is absolute and not
    resolved, so that a symlink is seen as one."""
    link = _symlink_on_the_way(root, site_dir)
    if link is not None:
        raise UnsafeSiteDir(f"site folder {site_dir}: {link} is a symlink; the build never writes "
                            "through one (remove the link, or choose a real folder)")
    real = site_dir.resolve()
    if real == root or real in root.parents:
        raise UnsafeSiteDir(f"site folder {site_dir}: it cannot be the catalogue folder or one of "
                            "its parents (each build replaces the site folder whole)")
    relative = real.relative_to(root).parts if real.is_relative_to(root) else ()
    if relative and (relative[0] in KINDS_BY_FOLDER or relative[0] in ("schemas", ".git")):
        raise UnsafeSiteDir(f"site folder {site_dir}: inside the catalogue's {relative[0]}/ "
                            "folder; use a folder of its own, such as site/")
    if site_dir.exists() and not site_dir.is_dir():
        raise UnsafeSiteDir(f"site folder {site_dir}: is a file, not a folder")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not is_built_site(site_dir):
        raise UnsafeSiteDir(f"site folder {site_dir}: the folder is not empty and was not made by "
                            f"omh build (it has no {MARKER} file); a build would replace it. "
                            "Empty or remove it, or choose another folder")


def is_built_site(folder: Path) -> bool:
    marker = folder / MARKER
    return marker.is_file() and not marker.is_symlink()


def staging_dir(site_dir: Path) -> Path:
    """A new, empty folder beside ``site_dir`` to build into (left-overs of interrupted builds
    there are removed first)."""
    parent = site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    prefix = STAGING.format(name=site_dir.name)
    for pattern in (prefix, OLD.format(name=site_dir.name)):
        for stale in parent.glob(f"{pattern}*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
    staged = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    umask = os.umask(0)
    os.umask(umask)
    staged.chmod(0o777 & ~umask)  # a site folder like any other, not mkdtemp's private 0700
    return staged


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)


def spare_dir(site_dir: Path) -> Path:
    """Where the site a build replaced is kept for the next build (``spare_site``)."""
    return site_dir.parent / SPARE.format(name=site_dir.name)


def set_aside(folder: Path) -> Path:
    """Rename ``folder`` to a new name for removal (``remove_in_background``): the name it had
    is free at once."""
    old = Path(tempfile.mkdtemp(prefix=OLD.format(name=folder.name), dir=folder.parent))
    old.rmdir()
    os.rename(folder, old)
    return old


def swap_in(root: Path, staged: Path, site_dir: Path, keep_spare: bool = False) -> None:
    """Mark ``staged`` as a built site and put it in place of ``site_dir``; the old site is
    removed afterwards or, with ``keep_spare``, kept as the spare (``spare_dir``)."""
    with contextlib.suppress(FileNotFoundError):  # (a kept folder's: replaced, not followed)
        (staged / MARKER).unlink()
    (staged / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    check_site_dir(root, site_dir)  # again: the folder may have changed while building
    if not os.path.lexists(site_dir):
        os.rename(staged, site_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=OLD.format(name=site_dir.name), dir=site_dir.parent))
    old.rmdir()
    if _exchange(staged, site_dir):
        os.rename(staged, old)
    else:
        os.rename(site_dir, old)
        os.rename(staged, site_dir)
    spare = spare_dir(site_dir)
    if keep_spare:
        if os.path.lexists(spare):
            remove_in_background(set_aside(spare))
        os.rename(old, spare)
    else:
        remove_in_background(old)


def remove_in_background(folder: Path) -> None:
    """Remove ``folder`` (one the build made) in a process that outlives this one: ``sh``
    starts ``rm`` and returns at once, leaving it to the system (no child of ours is left
    behind). Where there is no ``sh``, the folder is removed here and now."""
    try:
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(folder)],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        shutil.rmtree(folder, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically, where the system can (Linux); False where it cannot."""
    with contextlib.suppress(OSError, AttributeError):
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
        return int(renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                             _RENAME_EXCHANGE)) == 0
    return False
