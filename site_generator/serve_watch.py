"""``omh serve``'s watch on the catalogue: the system's file events, where it has enough of them.

MkDocs' live-reload server polls what it watches: it lists every file of the watched folders
twice a second. At 1,000 records that is a quarter of a second's wait on average before an
edit's rebuild begins, and at 10,000 the listing keeps much of a core busy. Where the system
reports file events (inotify on Linux, FSEvents on macOS, the Windows API) watchdog's native
observer takes the poller's place before the server starts it: an edit is seen as it is saved.
On Linux each watched folder takes one of the user's inotify watches; a catalogue with more
folders than half of them (other programs hold some) stays polled.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from mkdocs.livereload import LiveReloadServer
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

INOTIFY_WATCHES = Path("/proc/sys/fs/inotify/max_user_watches")


def watch_natively(server: LiveReloadServer, paths: Iterable[Path]) -> bool:
    """Watch ``paths`` (and what the server watches already) with file events instead of
    polling; False, leaving the server as it is, where that cannot be done."""
    paths = list(paths)
    observer = Observer()
    if server.observer.is_alive() or isinstance(observer, PollingObserver) or \
            not _enough_watches(paths):
        for path in paths:
            server.watch(str(path))
        return False
    # Watched before this: MkDocs' own paths (its configuration, its empty docs folder).
    watched = dict(server._watched_paths)
    # (Typed as the poller; the server only schedules watches on it, starts and stops it.)
    server.observer = observer  # type: ignore[assignment]
    server._watched_paths.clear()
    server._watch_refs.clear()
    for known, count in watched.items():
        for _ in range(count):
            server.watch(known)
    for path in paths:
        server.watch(str(path))
    return True


def _enough_watches(paths: list[Path]) -> bool:
    try:
        limit = int(INOTIFY_WATCHES.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return True  # not Linux: no such limit
    folders = 0
    for path in paths:
        if path.is_dir():
            folders += sum(1 for _ in os.walk(path))
        if folders * 2 > limit:
            return False
    return True
