"""Between the build cache and the built site: the reused units' pages and files are put in the
site after MkDocs has written the rest, and the units built this time are kept for the next
build once MkDocs has written their pages."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from itertools import chain
from pathlib import Path

from site_generator.build_cache import BLOB, SOURCE, BuildCache, CachedPage, CachedUnit
from site_generator.downloads import PublishedFile
from site_generator.site import Site, Unit
from site_generator.spill import loaded

Identity = Callable[[str], tuple[int, int] | None]
"""The device and inode of a source, when known without asking the file system."""


PlacedFile = tuple[str, str, bool]
"""(site path, source file, whether the source is a blob of the build cache): a file put in
the site after MkDocs, which never sees it (``Site.placed_files``)."""


def unit_files(cache: BuildCache, root: str, unit: CachedUnit) -> list[PlacedFile]:
    """The files published beside a cached unit's pages: blobs of the cache, or the
    repository's own files (under ``root``)."""
    return [(path, cache.blob_file(ref), True) if how == BLOB else
            (path, f"{root}/{ref}", False) for path, how, ref in unit.files]


def units_output(cache: BuildCache | None, root: str,
                 units: Iterable[CachedUnit]) -> tuple[list[CachedPage], list[PlacedFile]]:
    """The pages and the files (``unit_files``) of cached ``units``."""
    units = list(units)
    if cache is None or not units:
        return [], []
    return ([page for unit in units for page in unit.pages],
            [file for unit in units for file in unit_files(cache, root, unit)])


def unit_targets(unit: CachedUnit, site_dir: Path) -> list[str]:
    """Every file of the site a cached unit's pages and files are at."""
    into = str(site_dir)
    return [*(_page_file(into, page) for page in unit.pages),
            *(f"{into}/{path}" for path, _, _ in unit.files)]


def _page_file(into: str, page: CachedPage) -> str:
    return f"{into}/{page.path}index.html"


def place_files(files: Iterable[tuple[str, str, bool]], keep_same: bool = False,
                identity: Identity | None = None, made: set[str] | None = None) -> None:
    """Put each ``source``'s content at its ``target`` (a link when ``link`` and the file system
    allows it: a blob is never written again, so sharing it is safe; a link is never followed),
    by string paths: tens of thousands of reused pages and files are placed in a rebuild, where
    ``pathlib`` cost more than the links. ``keep_same``: a target that is a link to its source
    already is left as it is (``identity``: the cache's blobs', from its listing). ``made``:
    the folders known to exist (shared by calls that place into the same site)."""
    made = set() if made is None else made
    listed = _Listed()
    for source, target, link in files:
        if keep_same and link and _same_file(source, target, identity, listed):
            continue
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        if link:
            try:
                _link(source, target)
                continue
            except OSError:
                pass
        if os.path.lexists(target):
            os.unlink(target)
        shutil.copyfile(source, target, follow_symlinks=False)


def _same_file(source: str, target: str, identity: Identity | None, listed: _Listed) -> bool:
    known = identity(source) if identity is not None else None
    if known is not None:  # (the cache's file system lists files' own inodes)
        return listed.identity(target) == known
    try:
        there = os.lstat(target)
        here = os.stat(source)
    except OSError:
        return False
    return (there.st_dev, there.st_ino) == (here.st_dev, here.st_ino)


class _Listed:
    """The device and inodes of the folder listed last. A rebuild in place asks, of 90,000
    files at 10,000 records, whether each is a link to its blob already; they come a folder at a
    time (a unit's pages and files, a shard of the search index), and one listing of a folder
    answers for all of its files, where each was asked about on its own (``os.lstat``). Only
    for a blob whose inode the cache's listing gave: on such a file system a listing's inode is
    the file's own, and a folder on another device is never the blob's."""

    def __init__(self) -> None:
        self.folder: str | None = None
        self.device = -1
        self.inodes: dict[str, int] = {}

    def identity(self, path: str) -> tuple[int, int] | None:
        """The device and inode of the file or link at ``path`` (``None``: nothing there)."""
        folder, name = os.path.split(path)
        if folder != self.folder:
            self.folder = folder
            try:
                self.device = os.stat(folder).st_dev
                with os.scandir(folder) as entries:
                    self.inodes = {entry.name: entry.inode() for entry in entries}
            except OSError:
                self.device, self.inodes = -1, {}
        inode = self.inodes.get(name)
        return None if inode is None else (self.device, inode)


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:  # (a file MkDocs wrote, or a link: replaced, never followed)
        os.unlink(target)
        os.link(source, target, follow_symlinks=False)


def write_reused(pages: Iterable[CachedPage], files: Iterable[PlacedFile],
                 cache: BuildCache | None, site_dir: Path, in_place: bool = False,
                 made: set[str] | None = None) -> None:
    """The ``pages`` of the units taken from ``cache`` and the ``files`` MkDocs does not copy
    (``Site.reused_pages``, ``Site.placed_files``), into ``site_dir``; ``in_place``: the last
    build's links to the same blobs are left where they are."""
    if cache is None:
        return
    into = str(site_dir)
    place_files(chain(
        ((cache.blob_file(page.html), _page_file(into, page), True) for page in pages),
        ((source, f"{into}/{path}", own) for path, source, own in files)),
        keep_same=in_place, identity=cache.identity, made=made)


def place_units(cache: BuildCache, root: str, units: Iterable[tuple[str, CachedUnit]],
                site_dir: Path, in_place: bool) -> tuple[list[str], list[str]]:
    """Put the pages and files of ``units`` (by record id) into ``site_dir``; the ids of those
    placed, and of those that could not be (a blob gone: what was placed of them is to be
    taken out again)."""
    placed, failed = [], []
    made: set[str] = set()
    for record_id, unit in units:
        try:
            write_reused(unit.pages, unit_files(cache, root, unit), cache, site_dir, in_place,
                         made)
        except OSError:
            failed.append(record_id)
        else:
            placed.append(record_id)
    return placed, failed


def save_units(cache: BuildCache, site: Site, written: dict[str, str | None], root: Path) -> None:
    """Keep the reused units and those built now (a unit something of which could not be kept
    is left out: it is built again next time)."""
    units = dict(site.reused_units)
    for unit in site.units:
        kept = _kept_unit(cache, unit, written, root)
        if kept is not None:
            units[unit.record_id] = kept
    cache.save(units)


def _kept_unit(cache: BuildCache, unit: Unit, written: dict[str, str | None],
               root: Path) -> CachedUnit | None:
    pages = []
    for page in unit.pages:
        html = written.get(page.path)  # the page as MkDocs wrote it
        index = page.index_blob
        if index is None:
            page = loaded(page)
            index = cache.put(page.index_html.encode("utf-8")) if page.index_html else None
        if html is None or (page.index_html and index is None):
            return None
        pages.append(CachedPage(page.path, page.date, html, index))
    files = []
    for published in unit.files:
        file = _kept_file(cache, published, root)
        if file is None:
            return None
        files.append(file)
    nquads = unit.nquads_blob or cache.put("\n".join(unit.nquads).encode("utf-8"))
    return CachedUnit(unit.reads, tuple(pages), tuple(files), nquads) if nquads else None


def _kept_file(cache: BuildCache, published: PublishedFile,
               root: Path) -> tuple[str, str, str] | None:
    """A published file as the cache keeps it: a blob, or a file of the repository."""
    source = published.source
    blob = cache.blob_of(source)
    if blob is None and source is not None and source.resolve().is_relative_to(root):
        return published.path, SOURCE, source.resolve().relative_to(root).as_posix()
    if blob is None:
        blob = cache.put((published.content or b"") if source is None else source.read_bytes())
    return (published.path, BLOB, blob) if blob is not None else None
