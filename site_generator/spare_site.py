"""The site before last, kept beside the site as the next build's starting point.

A build with the cache writes into a new folder and swaps it in whole (``output_dir``). At 10,000
records that new folder takes 86,000 files, nearly all of them links to the cache's blobs that
the last build made too: a second of system calls, and as long again to remove the old site
afterwards. So the site a build replaces is not removed: it is kept as the spare
(``output_dir.spare_dir``), and the next build starts from it, changing only what differs, as
``omh serve`` does in its folder (``in_place``): what is written is unlinked first, a reused
page already linked to its blob is left as it is, and what no build writes any more is removed.

When there is no spare (the first build after a build into an empty folder), the site itself
is copied as links (``cp -al``, ``copy_site``) by a process of its own, on the other core, while
this build checks the catalogue; the copy is the spare. Its files are those of the site that is
being served, so every file the build writes is unlinked first, never written through
(``plugin``'s in-place writes).

A folder is only taken up again when this build cache recorded having built it (or the site a
copy was made of) with the same key (its device and inode, kept in ``SITES_FILE`` in the cache's
folder): never a folder a commit or another program put there, and never one built with other
settings, theme or libraries, whose static files could differ without MkDocs seeing it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR

from catalogue.load.safe_write import check_no_symlink, replace_file
from site_generator.build_cache import BuildCache
from site_generator.output_dir import is_built_site, remove_in_background, set_aside

SITES_FILE = "sites.json"
KEPT = 4
"""Site folders remembered: the site and the spare, with room for a few left behind."""
COPY_TIMEOUT = 600
"""Seconds the copy of the site may take."""


@dataclass
class SiteCopy:
    """The site being copied into the spare's place (``copy_site``)."""

    process: subprocess.Popen[bytes]
    source: Path
    """The site copied: the copy is trusted as that folder is."""
    taken: bool = False
    """Whether a build has dealt with it (``adopt_spare``): taken up, or removed."""


def copy_site(site_dir: Path, spare: Path) -> SiteCopy | None:
    """Begin copying ``site_dir`` into ``spare`` as links, when there is no spare, the site is
    one a build made, and the system's ``cp`` links (GNU's, on Linux); ``None`` otherwise."""
    cp = shutil.which("cp")
    if not sys.platform.startswith("linux") or cp is None or os.path.lexists(spare) or \
            os.path.islink(site_dir) or not is_built_site(site_dir):
        return None
    try:
        process = subprocess.Popen([cp, "-a", "-l", "--", str(site_dir), str(spare)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
    except OSError:
        return None
    return SiteCopy(process, site_dir)


def stop_copy(copy: SiteCopy, spare: Path) -> None:
    """End a copy the build no longer waits for, and remove what it made."""
    copy.taken = True
    if copy.process.poll() is None:
        copy.process.kill()
    copy.process.wait()
    with contextlib.suppress(OSError):
        remove_in_background(set_aside(spare))


def _copied(copy: SiteCopy, spare: Path) -> bool:
    """Whether the copy is complete (waiting for it, within ``COPY_TIMEOUT``)."""
    try:
        done = copy.process.wait(timeout=COPY_TIMEOUT) == 0
    except subprocess.TimeoutExpired:
        done = False
    if not done:
        stop_copy(copy, spare)
    return done


def _identity(status: os.stat_result) -> list[int]:
    return [status.st_dev, status.st_ino]


def _noted(cache: BuildCache) -> list[dict[str, object]]:
    assert cache.folder is not None
    try:
        with open(cache.folder / SITES_FILE, encoding="utf-8") as kept:
            sites = json.load(kept)
    except (OSError, ValueError):
        return []
    if not isinstance(sites, list):
        return []
    return [site for site in sites if isinstance(site, dict)]


def _note(cache: BuildCache, identity: list[int], key: str | None) -> None:
    """Record the folder ``identity`` as built with ``key`` (``None``: forget it)."""
    assert cache.folder is not None
    sites = [site for site in _noted(cache) if site.get("folder") != identity]
    if key is not None:
        sites.insert(0, {"folder": identity, "key": key})
    try:
        check_no_symlink(cache.folder / SITES_FILE, cache.within)
        replace_file(str(cache.folder / SITES_FILE), json.dumps(sites[:KEPT]).encode("utf-8"))
    except OSError:
        return


def note_built(cache: BuildCache, folder: Path) -> None:
    """Record that ``folder`` holds a complete build made with ``cache``'s key."""
    if cache.folder is None:
        return
    with contextlib.suppress(OSError):
        _note(cache, _identity(os.lstat(folder)), cache.key)


def adopt_spare(spare: Path, staged: Path, cache: BuildCache,
                copy: SiteCopy | None = None) -> bool:
    """Put ``spare`` in the place of the empty folder ``staged`` when ``cache`` built it (or,
    with ``copy``, the site it is a copy of) with its key (whether it did); a spare it did not
    is removed."""
    if cache.folder is None:  # (nothing noted: a copy is not waited for)
        if copy is not None:
            stop_copy(copy, spare)
        return False
    if copy is not None:
        if not _copied(copy, spare):
            return False
        copy.taken = True
    try:
        status = os.lstat(spare)
        trusted = os.lstat(copy.source) if copy is not None else status
    except OSError:
        return False
    if not S_ISDIR(status.st_mode):  # (a symlink, whatever it points at, or a file)
        with contextlib.suppress(OSError):
            os.unlink(spare)
        return False
    identity = _identity(trusted)
    if not any(site.get("folder") == identity and site.get("key") == cache.key
               for site in _noted(cache)):
        with contextlib.suppress(OSError):
            remove_in_background(set_aside(spare))
        return False
    try:
        os.rmdir(staged)  # empty: MkDocs has just cleaned it
    except OSError:
        return False
    try:
        os.rename(spare, staged)
    except OSError:  # (another build took it meanwhile)
        os.mkdir(staged)
        return False
    if copy is None:
        # Noted again once this build is complete: a build that fails leaves the folder half
        # changed (and removed), and its inode may come back as another folder's.
        _note(cache, identity, None)
    return True
