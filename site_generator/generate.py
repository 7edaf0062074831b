"""Generate: the whole site as data, from a loaded catalogue (no MkDocs involved)."""

from __future__ import annotations

import contextlib
import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from catalogue.link.catalogue import Catalogue
from catalogue.load.forked import POOL_MINIMUM, run_forked
from catalogue.model.kinds import KINDS
from catalogue.standards.jsonld import LinkedData
from catalogue.standards.urls import base_url
from site_generator.analyse_view import ANALYSE_PATH, analyse_pages
from site_generator.build_cache import BuildCache, CachedUnit
from site_generator.carbon_view import CarbonFigures, carbon_figures
from site_generator.dashboard import carbon_page, home_page
from site_generator.listing import kind_lists, list_page, list_path
from site_generator.lookup_values import Values
from site_generator.measure import timed
from site_generator.quality_memo import remembered_reports
from site_generator.record_units import (
    build_units,
    catalogue_tables,
    reusable,
    surely_changed,
    trace_tables,
)
from site_generator.render import SiteContext, linked_data
from site_generator.search import search_page, searched_pages
from site_generator.search_shards import plan_shards
from site_generator.shared_units import add_pages, remembered_page
from site_generator.site import Meanwhile, Site, Unit
from site_generator.site_files import (
    NQUADS_FILE,
    catalogue_file_paths,
    catalogue_files,
    nquads_dump,
    sitemap_files,
)
from site_generator.spill import Spill

CARBON_PATH = "carbon/"


def navigation() -> list[tuple[str, str]]:
    """The top-level navigation: a fixed, short list. Asset pages are reached from the lists,
    search and links, never listed on every page (which would make the site grow with the
    square of its size)."""
    return [("Home", ""), *((kind.plural_label, list_path(kind.name)) for kind in KINDS.values()),
            ("Carbon", CARBON_PATH), ("Analyse", ANALYSE_PATH)]


def generate(catalogue: Catalogue, cache: BuildCache | None = None, jobs: int = 1,
             spill: Spill | None = None, search_bundles: Sequence[str] | None = None,
             records_done: Callable[[Site], None] | None = None,
             site_files: Meanwhile | None = None,
             carbon: CarbonFigures | None = None,
             changed_first: Callable[[list[Unit]], None] | None = None) -> Site:
    """The site of ``catalogue``; with ``cache``, each record's unit of pages and files is taken
    from it while everything the unit read is unchanged (``record_units``), and the units to
    build are built in ``jobs`` processes; with ``spill``, their page bodies and file contents
    wait on disk. ``search_bundles``: the search index's shards the search page imports
    (default: ``search_shards.plan_shards``'s). ``records_done`` is given the site as soon as
    its record pages are made (built or reused), before the lists: the record pages are all
    the search index holds, so its runs can begin there. ``site_files``:
    the site-wide files begun already (``site_files_meanwhile``); ``carbon``: the carbon
    figures, when they are made already. ``changed_first``, when a few records changed in
    their own folder (a rebuild after an edit), is given their units as soon as they are
    built, before the other units are checked: the search index's runs for their pages can
    begin there, before every unit is known (half a second sooner at 10,000 records)."""
    stages: dict[str, float] = {}
    with timed(stages, "derive"):
        tables = catalogue_tables(catalogue)
        values = Values(tables, cache.digests) if cache is not None else None
        reports = remembered_reports(catalogue, cache, values, jobs) \
            if cache is not None and values is not None else None
        site = SiteContext(catalogue, carbon if carbon is not None else carbon_figures(catalogue),
                           base_url(catalogue.settings.site_url), reports=reports)
        trace_tables(site, tables)
    folder = spill.folder if spill is not None else None
    with contextlib.ExitStack() as running:
        # (``site_files``, when given, is the caller's to stop)
        whole = site_files or running.enter_context(_meanwhile(
            jobs, folder, functools.partial(_catalogue_files, site.linked),
            catalogue_file_paths(), background=True))
        # The lists and dashboards need the derived tables and nothing of the records' units:
        # made meanwhile, where there are workers, while the units are checked and made.
        lists = running.enter_context(_meanwhile(jobs, folder, functools.partial(
            _lists_and_dashboards, site, cache, values, search_bundles)))
        record_ids = list(dict.keys(catalogue.records))
        reused: Mapping[str, CachedUnit] = {}
        first: list[Unit] = []
        if cache is not None and values is not None:  # (values is None without a cache)
            with timed(stages, "cache check"):
                for record_id in record_ids:  # here, not in the workers, which would forget them
                    values.record(record_id)
                changed = surely_changed(cache, values, record_ids) \
                    if changed_first is not None else []
            if changed_first is not None and 0 < len(changed) < POOL_MINIMUM:
                with timed(stages, "record pages"):
                    first = list(build_units(changed, site, values, jobs, spill))
                changed_first(first)
            with timed(stages, "cache check"):
                done = {unit.record_id for unit in first}
                reused = reusable(cache, values, [i for i in record_ids if i not in done])
        result = Site(nav=navigation(), stages=stages)
        with timed(stages, "record pages"):
            nquads = _record_pages(result, site, cache, values, reused, jobs, spill, first)
        # The dump is made meanwhile too, begun first (it is what a rebuild waits for last),
        # and placed after MkDocs (which never sees it).
        dump = running.enter_context(_meanwhile(jobs, folder, functools.partial(
            _nquads_dump, site.linked, cache, [nquads[i] for i in record_ids]), (NQUADS_FILE,),
            background=True))
        if records_done is not None:
            records_done(result)
        with timed(stages, "lists and dashboards"):
            result.add(lists.result())
        result.later = [whole, dump]
        running.pop_all()  # (their processes go on: ``Site.later``)
        return result.sorted()


def _record_pages(result: Site, site: SiteContext, cache: BuildCache | None,
                  values: Values | None, reused: Mapping[str, CachedUnit], jobs: int,
                  spill: Spill | None, built: list[Unit]) -> dict[str, list[str] | str]:
    """Each record's unit, ``built`` already, built now or ``reused``, in ``result``; returns
    each record's lines of the dump, or the blob that holds them."""
    catalogue = site.catalogue
    nquads: dict[str, list[str] | str] = {}
    done = {unit.record_id for unit in built}
    for unit in itertools.chain(built, build_units(
            [i for i in dict.keys(catalogue.records) if i not in reused and i not in done], site,
            values, jobs, spill)):
        result.pages.extend(unit.pages)
        blobs = [unit.nquads_blob, *(page.index_blob for page in unit.pages)]
        for published in unit.files:
            blob = cache.blob_of(published.source) if cache is not None else None
            if blob is not None:
                blobs.append(blob)
                result.placed_files.append((published.path, str(published.source), True))
            else:
                result.files.append(published)
        if cache is not None:  # (a worker put them: the cache's clean-up must know them)
            cache.adopt(blob for blob in blobs if blob is not None)
        result.units.append(unit)
        nquads[unit.record_id] = unit.nquads_blob or unit.nquads
    if cache is not None:
        for record_id, kept in reused.items():
            nquads[record_id] = kept.nquads
        result.reused_units = dict(reused)
    return nquads


def _lists_and_dashboards(site: SiteContext, cache: BuildCache | None, values: Values | None,
                          search_bundles: Sequence[str] | None) -> Site:
    """The kinds' lists, the dashboards, the analyses and the search page: made, or taken from
    ``cache`` as the units of pages (``shared_units``)."""
    catalogue = site.catalogue
    result = Site(nav=navigation())
    in_nav = {path for _, path in result.nav}
    pages = []
    for kind in KINDS:
        for listed in kind_lists(site, kind):
            if cache is None or values is None or listed.path in in_nav:
                pages.append(list_page(site, listed))
            else:
                remembered_page(result, cache, values, listed.path, listed,
                                functools.partial(list_page, site, listed))
    pages += [home_page(site), carbon_page(site)]
    analyses, files = analyse_pages(site)
    result.files.extend(files)
    if search_bundles is None:
        search_bundles = plan_shards(searched_pages(catalogue)).folders
    add_pages(result, [*pages, *analyses, search_page(site, search_bundles)], cache, in_nav)
    return result


def _catalogue_files(linked: LinkedData) -> Site:
    return Site(files=catalogue_files(linked), overrides=sitemap_files(linked))


def _nquads_dump(linked: LinkedData, cache: BuildCache | None,
                 nquads: list[list[str] | str]) -> Site:
    """``nquads``: each record's lines of the dump, or the blob holding them."""
    return Site(files=[nquads_dump(linked, (part if isinstance(part, list) else
                                            _blob(cache, part) for part in nquads))])


def _blob(cache: BuildCache | None, blob: str) -> bytes:
    assert cache is not None
    return cache.read(blob)


def site_files_meanwhile(catalogue: Catalogue, carbon: CarbonFigures, jobs: int,
                         folder: Path) -> Meanwhile | None:
    """The site-wide files (``_catalogue_files``), begun in a process of their own once the
    catalogue's ``carbon`` figures are made, when there are workers to spare; ``None``
    otherwise. It makes the linked data it needs itself, on the other core, before this process
    makes its own; the carbon figures, which both need, are made once, before it begins (the
    other core is the busier in a rebuild: the search index, the dump and the placing of the
    reused pages run there)."""
    if jobs <= 1:
        return None

    def make() -> Site:
        return _catalogue_files(linked_data(catalogue, carbon,
                                            base_url(catalogue.settings.site_url)))

    return _meanwhile(jobs, folder, make, catalogue_file_paths(), background=True)


def _meanwhile(jobs: int, folder: Path | None, make: Callable[[], Site],
               paths: tuple[str, ...] = (), background: bool = False) -> Meanwhile:
    """``make`` in a process of its own, with the contents of its files written to ``folder``
    (a build's work folder, ``spill``), when there are workers to spare; here, when it is
    asked for, otherwise. ``paths``: the files it makes, when they are known beforehand;
    ``background``: files the build waits for only at its end (``Site.later``), made on what
    the cores have to spare (``run_forked``)."""
    if jobs <= 1 or folder is None:
        return Meanwhile(make, None, paths)

    def on_disk() -> Site:
        part = make()
        here = Spill(folder)  # (without the cache: its blobs are known to the build's process)
        part.files = [here.file(published) for published in part.files]
        return part

    return Meanwhile(make, run_forked(on_disk, background), paths)
