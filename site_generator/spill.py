"""Page bodies and file contents kept on disk while a build waits to write them, so that a build's
memory does not grow with its pages: a record's page HTML, search views and published files go
to a work folder as soon as they are generated and are read back, one page at a time, when
MkDocs writes that page.

The page bodies of each process are written one after the other into one file of its own: on
the file systems builds run on, making a file costs twenty to forty times what writing the
same bytes to an open one does, and a build at 10,000 records made 10,000 such files."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from site_generator.build_cache import BuildCache
from site_generator.downloads import PublishedFile
from site_generator.site import Body, GeneratedPage


class Spill:
    """A build's work folder for page bodies; file contents go to ``cache``'s blobs when there
    is a cache (they are kept there anyway, and linked from there into the site)."""

    def __init__(self, folder: Path, cache: BuildCache | None = None) -> None:
        self.folder = folder
        self.cache = cache
        folder.mkdir(parents=True, exist_ok=True)
        self._count = 0
        self._bodies: tuple[int, Path, BinaryIO] | None = None
        """This process's file of page bodies (a worker forked from the build opens its own)."""

    def _next(self, suffix: str) -> Path:
        """A new file's name, unique across the pool's processes (each forked with a copy)."""
        self._count += 1
        return self.folder / f"{os.getpid()}-{self._count}{suffix}"

    def page(self, page: GeneratedPage) -> GeneratedPage:
        """``page`` with its HTML, search view and search document moved to disk; the search
        document to the cache's blobs when there is a cache (``GeneratedPage.index_blob``)."""
        index = page.index_html
        blob = self.cache.put(index.encode("utf-8")) \
            if self.cache is not None and index is not None else None
        body = self._append(page.html, page.search_html, None if blob else index)
        return replace(page, html="", search_html=None, index_html=None, index_blob=blob,
                       body=body)

    def close(self) -> None:
        """Close this process's file of page bodies (they stay readable)."""
        if self._bodies is not None and self._bodies[0] == os.getpid():
            self._bodies[2].close()
        self._bodies = None

    def _append(self, *bodies: str | None) -> Body:
        """Write ``bodies`` one after the other, as they are (UTF-8): as JSON, a page's body
        written and read again cost 0.16 ms (escaping its quotes), eight times as much."""
        if self._bodies is None or self._bodies[0] != os.getpid():
            path = self._next(".pages")
            self._bodies = (os.getpid(), path, path.open("wb"))
        _, path, out = self._bodies
        offset = out.tell()
        parts: list[int | None] = []
        for body in bodies:
            if body is None:
                parts.append(None)
                continue
            content = body.encode("utf-8")
            out.write(content)
            parts.append(len(content))
        out.flush()  # read by the build's process, maybe before this one is done
        return Body(path, offset, tuple(parts))

    def lines(self, lines: list[str]) -> str | None:
        """The blob of ``lines`` (a unit's N-Quads) in the cache, when there is one."""
        return self.cache.put("\n".join(lines).encode("utf-8")) if self.cache is not None \
            else None

    def file(self, published: PublishedFile) -> PublishedFile:
        """``published`` with its content moved to disk (a file copied from the repository
        stays as it is)."""
        if published.content is None:
            return published
        blob = self.cache.put(published.content) if self.cache is not None else None
        if self.cache is not None and blob is not None:
            return PublishedFile(published.path, source=self.cache.blob_path(blob))
        path = self._next(".bin")
        path.write_bytes(published.content)
        return PublishedFile(published.path, source=path)


def loaded(page: GeneratedPage) -> GeneratedPage:
    """``page`` with its body back from disk (itself when it was never moved)."""
    if page.body is None:
        return page
    path, offset, parts = page.body
    with path.open("rb") as bodies:
        bodies.seek(offset)
        content = bodies.read(sum(length for length in parts if length is not None))
    found: list[str | None] = []
    start = 0
    for length in parts:
        if length is None:
            found.append(None)
            continue
        found.append(content[start:start + length].decode("utf-8"))
        start += length
    html, search_html, index_html = found
    return replace(page, html=html or "", search_html=search_html, index_html=index_html,
                   body=None)
