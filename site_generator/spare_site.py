"""The site before last, kept beside the site as the next build's starting point.

A build with the cache writes into a new folder and swaps it in whole (``output_dir``). At 10,000
records that new folder takes 86,000 files, nearly all of them links to the cache's blobs that
the last build made too: a second of system calls, and as long again to remove the old site
afterwards. So the site a build replaces is not removed: it is kept as the spare
(``output_dir.spare_dir``), and the next build starts from it, changing only what differs, as
``omh serve`` does in its folder (``in_place``): what is written is unlinked first, a reused
page already linked to its blob is left as it is, and what no build writes any more is removed.

A folder is only taken up again when this build cache recorded having built it with the same
key (its device and inode, kept in ``SITES_FILE`` in the cache's folder): never a folder a commit
or another program put there, and never one built with other settings, theme or libraries,
whose static files could differ without MkDocs seeing it.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from stat import S_ISDIR

from catalogue.load.safe_write import check_no_symlink, replace_file
from site_generator.build_cache import BuildCache
from site_generator.output_dir import remove_in_background, set_aside

SITES_FILE = "sites.json"
KEPT = 4
"""Site folders remembered: the site, the spare, and a few builds that failed after noting."""


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


def adopt_spare(spare: Path, staged: Path, cache: BuildCache) -> bool:
    """Put ``spare`` in the place of the empty folder ``staged`` when ``cache`` built it with
    its key (whether it did); a spare it did not is removed."""
    if cache.folder is None:
        return False
    try:
        status = os.lstat(spare)
    except OSError:
        return False
    if not S_ISDIR(status.st_mode):  # (a symlink, whatever it points at, or a file)
        with contextlib.suppress(OSError):
            os.unlink(spare)
        return False
    identity = _identity(status)
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
    # Noted again once this build is complete: a build that fails leaves the folder half
    # changed (and removed), and its inode may come back as another folder's.
    _note(cache, identity, None)
    return True
