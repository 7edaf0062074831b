"""Units of the build cache that are not a record's: the site's other pages.

A record's unit is reused while everything it read is unchanged (``record_units``). So is each
page of a kind's list (``remembered_page``): it shows fifty records, and a catalogue of ten
thousand has two hundred of them. The dashboards, analyses and the search page read whole
tables, so they are generated on every build, which is cheap. What is not cheap is MkDocs
rendering each of them into the theme again: a page whose generated content, title, table of
contents and head are those of the last build is the same page, and is taken from the cache as
MkDocs wrote it then (the global key covers the theme, the settings and the navigation). Pages
of the navigation itself are always given to MkDocs, which builds the navigation from them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Hashable, Iterable

from site_generator.build_cache import BuildCache
from site_generator.lookup_values import Values
from site_generator.site import GeneratedPage, Site, Unit
from site_generator.tracing import trace

PAGE_UNIT = "page:"
"""The prefix of a page unit's id (a record id never holds a colon)."""
PAGE = "page"
"""The one lookup of a page unit: the digest of the page as generated."""
SHOWN = "shown"
"""The first lookup of a remembered page's unit: the digest of what it shows beyond its other
lookups."""


def page_digest(page: GeneratedPage) -> str:
    """The digest of everything MkDocs is given for ``page`` (its body in memory, not spilled)."""
    fields = (page.path, page.title, page.html, page.toc, page.description, page.date,
              sorted(page.scripts), page.searchable, page.search_html, page.head, page.section,
              page.index_html)
    return hashlib.blake2b(repr(fields).encode("utf-8"), digest_size=16).hexdigest()


def add_pages(site: Site, pages: Iterable[GeneratedPage], cache: BuildCache | None,
              in_nav: Collection[str]) -> None:
    """Add ``pages`` to ``site``: those the cache holds as they are now among its reused pages,
    the others among the pages MkDocs renders, as units the cache keeps after the build."""
    for page in pages:
        if cache is None or page.path in in_nav:
            site.pages.append(page)
            continue
        unit_id = PAGE_UNIT + page.path
        reads = ((PAGE, page.path, page_digest(page)),)
        kept = cache.units.get(unit_id)
        if kept is not None and kept.reads == reads and cache.has(kept):
            site.reused_units[unit_id] = kept
        else:
            site.pages.append(page)
            site.units.append(Unit(unit_id, [page], [], [], reads))


def remembered_page(site: Site, cache: BuildCache, values: Values, path: str, spec: Hashable,
                    make: Callable[[], GeneratedPage]) -> None:
    """Add the page at ``path`` to ``site``: from ``cache`` while ``spec`` (all it shows but
    what it looks up) and every lookup it made are unchanged, else made by ``make`` with its
    lookups noted (``tracing``), as a unit the cache keeps after the build."""
    unit_id = PAGE_UNIT + path
    shown = (SHOWN, path, hashlib.blake2b(repr(spec).encode("utf-8"),
                                         digest_size=16).hexdigest())
    kept = cache.units.get(unit_id)
    if kept is not None and kept.reads[:1] == (shown,) and values.still(kept.reads[1:]) \
            and cache.has(kept):
        site.reused_units[unit_id] = kept
        return
    with trace() as reads:
        page = make()
    site.pages.append(page)
    site.units.append(Unit(unit_id, [page], [], [], (shown, *values.noted(reads))))


def count_record_units(units: Iterable[str]) -> int:
    """How many of ``units`` (their ids) are records' units."""
    return sum(1 for unit in units if not unit.startswith(PAGE_UNIT))

