"""The site as data: its pages (HTML bodies with a title and sections) and the files published
beside them. ``generate`` builds it from a loaded catalogue; MkDocs turns it into the site."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from catalogue.load.forked import Forked
from site_generator.build_cache import CachedPage, CachedUnit, Read
from site_generator.downloads import PublishedFile
from site_generator.render import TocEntry

CHART = "chart"
SEARCH = "search"


class Body(NamedTuple):
    """Where a page's bodies wait on disk (``spill``): bytes of a file of them."""

    path: Path
    offset: int
    parts: tuple[int | None, ...]
    """The UTF-8 length of each body, one after the other from ``offset`` (``None``: a body
    the page has not)."""


class HeadTag(NamedTuple):
    """A ``<link>`` or ``<meta>`` element of a page's head, as data: the theme writes it
    (``main.html``, block ``extrahead``) and escapes every value."""

    element: str
    """``link`` or ``meta``."""
    attributes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class GeneratedPage:
    path: str
    """The page's URL path from the site root: ``""`` (home) or ``"models/x/"``."""
    title: str
    html: str
    toc: tuple[TocEntry, ...] = ()
    description: str = ""
    date: str | None = None
    """``YYYY-MM-DD`` the page's content last changed (from the records), for the sitemap."""
    scripts: frozenset[str] = frozenset()
    """Libraries the page needs: ``chart``, ``search`` (the search page's script,
    which runs Pagefind's WebAssembly)."""
    searchable: bool = True
    """In MkDocs Material's built-in search index, when it is built (``material_search``:
    the benchmark's comparison only; the site's own search indexes record pages)."""
    search_html: str | None = None
    """What Material's search index gets instead of ``html`` (None: the page itself)."""
    head: tuple[HeadTag, ...] = ()
    """Links to the page's machine-readable files, citation and OpenGraph meta tags."""
    section: str | None = None
    """The path of the navigation tab the page belongs to (a record's page: its kind's list),
    when the page itself is not in the navigation."""
    index_html: str | None = None
    """The document the site's own search (Pagefind) indexes for the page: its search view
    with facets, sorts and result facts (None: not searched; only record pages are, except a
    deleted record's)."""

    body: Body | None = None
    """Where ``html``, ``search_html`` and ``index_html`` wait on disk (``spill``), emptied
    here meanwhile."""
    index_blob: str | None = None
    """``index_html``'s blob in the build cache, when it was put there as the page was made
    (``spill``): it is indexed and kept from there, never read back meanwhile."""

    @property
    def src_uri(self) -> str:
        return f"{self.path}index.md"


@dataclass
class Unit:
    """A record's own output (``record_units``): its page, its related-list pages, the files
    published beside them, its lines of the N-Quads dump, and what it read."""

    record_id: str
    pages: list[GeneratedPage]
    files: list[PublishedFile]
    nquads: list[str]
    """Empty when ``nquads_blob`` holds them: 600,000 lines at 10,000 records need not travel
    from the workers."""
    reads: tuple[Read, ...]
    nquads_blob: str | None = None
    """``nquads``' blob in the build cache, when it was put there as the unit was built."""


@dataclass
class Site:
    pages: list[GeneratedPage] = field(default_factory=list)
    files: list[PublishedFile] = field(default_factory=list)
    nav: list[tuple[str, str]] = field(default_factory=list)
    """(title, page path) of the top-level navigation."""
    overrides: dict[str, bytes] = field(default_factory=dict)
    """Files written after MkDocs has finished, replacing the theme's own (the sitemap)."""
    placed_files: list[tuple[str, str, bool]] = field(default_factory=list)
    """(site path, file, whether it is a blob of the build cache) of the files of the units
    built now that the cache already holds: put in the site after MkDocs, which never sees
    them. Blobs are linked into the site, the repository's files copied."""
    units: list[Unit] = field(default_factory=list)
    """The records' units built this time (their pages are among ``pages``)."""
    reused_units: dict[str, CachedUnit] = field(default_factory=dict)
    """The units taken whole from the build cache, by id: their pages and files are put in the
    site after MkDocs, which never sees them. Kept by unit, not as lists of pages and files: a
    rebuild tells tens of thousands of them apart by the unit they belong to."""
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds each part of generating the site took."""
    later: list[Meanwhile] = field(default_factory=list)
    """Files made meanwhile and placed after MkDocs, which never sees them (the site-wide
    files and the dump): the build waits for them only once MkDocs is done. Each says its
    files beforehand (``Meanwhile.paths``): a build in place keeps them from its sweep."""

    def add(self, part: Site) -> None:
        """Take in the pages, files and units of ``part`` (made apart: ``generate``)."""
        self.pages += part.pages
        self.files += part.files
        self.overrides.update(part.overrides)
        self.placed_files += part.placed_files
        self.units += part.units
        self.reused_units.update(part.reused_units)

    def settled(self) -> Site:
        """This site with the files made meanwhile (``later``) among its files: for a caller
        that places nothing after MkDocs."""
        later, self.later = self.later, []
        for part in later:
            self.add(part.result())
        return self.sorted()

    def sorted(self) -> Site:
        """Pages and files in path order, so that two builds write files in the same order."""
        files: dict[str, PublishedFile] = {}
        for published in self.files:
            files.setdefault(published.path, published)
        return Site(sorted(self.pages, key=lambda p: p.path),
                    [files[k] for k in sorted(files)], list(self.nav), dict(self.overrides),
                    sorted(self.placed_files), list(self.units), dict(self.reused_units),
                    dict(self.stages), list(self.later))

    def reused_pages(self) -> Iterator[CachedPage]:
        """The pages of the reused units."""
        for unit in self.reused_units.values():
            yield from unit.pages


class Meanwhile:
    """Part of the site made from what is known already: in a process of its own, while this
    one goes on (the contents of its files wait on disk: only their paths travel back); or
    here, when it is asked for."""

    def __init__(self, make: Callable[[], Site], forked: Forked[Site] | None,
                 paths: tuple[str, ...] = ()) -> None:
        self._make = make
        self._forked = forked
        self.paths = paths
        """The files it makes, when they are known beforehand."""

    def result(self) -> Site:
        forked, self._forked = self._forked, None
        return forked.wait() if forked is not None else self._make()

    def stop(self) -> None:
        """Stop the process, if its result was never asked for (the build failed)."""
        if self._forked is not None:
            self._forked.stop()
            self._forked = None

    def __enter__(self) -> Meanwhile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
