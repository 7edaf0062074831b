"""The MkDocs plugin ``omh``: hands the generated site to MkDocs, which stays the engine.

It adds the generated pages and published files to MkDocs' file list (in memory: nothing is
written into the repository), gives each page its title, description, date and table of
contents, and puts the generated HTML in place of the Markdown MkDocs would have rendered. The
page content is decided by ``site_generator.generate`` alone; this module only delivers it.
MkDocs renders the navigation's pages in its loop; the pages outside the navigation are held
back and rendered by this plugin once MkDocs has written the rest, with MkDocs' own steps, in
worker processes (``theme_pages``). As soon as the record pages are made, Pagefind begins
indexing their index documents, for the search page, in shards (``search_shards``), in
processes of its own while the rest is built: the shards whose documents are unchanged since
the last build are taken from the build cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache
from markupsafe import Markup
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from catalogue.derive.carbon_rollup import CarbonReport
from catalogue.load.cache_dir import cache_location, committed
from catalogue.load.forked import Forked, ForkedFailed, default_jobs, run_forked
from catalogue.load.safe_write import check_no_symlink
from catalogue.load.theme_file import THEME_FILE
from catalogue.model.kinds import KINDS, SETTINGS_FILE
from catalogue.pipeline import Catalogue, load_catalogue
from site_generator.assets import find_vendor_files
from site_generator.build_cache import BUILD_FOLDER, BuildCache, global_key
from site_generator.cached_output import (
    place_units,
    save_units,
    unit_targets,
    units_output,
    write_reused,
)
from site_generator.carbon_view import CarbonFigures, carbon_figures
from site_generator.csp import add_policy, with_nonce
from site_generator.generate import generate, site_files_meanwhile
from site_generator.head_tags import install as install_head_tags
from site_generator.in_place import remove_stale_meanwhile, unlink_written
from site_generator.measure import peak_rss_mib, timed
from site_generator.pagefind_index import SearchIndexError
from site_generator.render import ENVIRONMENT as PAGE_TEMPLATES
from site_generator.search import BUNDLE_FOLDER, searched_pages
from site_generator.search_shards import (
    Document,
    ShardPlan,
    ShardWork,
    begin_first,
    index_shards,
    place_kept,
    plan_shards,
    prepare_shards,
    shard_of,
    start_shards,
    stop_shards,
)
from site_generator.serve_watch import watch_natively
from site_generator.shared_fragments import install as install_shared_fragments
from site_generator.site import SEARCH, GeneratedPage, Meanwhile, Site, Unit
from site_generator.spare_site import SiteCopy, adopt_spare, note_built
from site_generator.spill import Spill, loaded
from site_generator.theme_pages import Theme, render_pages
from site_generator.theme_skeleton import Skeletons

log = logging.getLogger("mkdocs.plugins.omh")
PART_FAILED = ("making the lists, the dashboards or the catalogue-wide files (DCAT, the API, the "
               "sitemap) in a process of their own failed")
PLACING_FAILED = "placing the pages, files and search shards taken from the build cache failed"
EPOCH_DATE = "1970-01-01"
JINJA_FOLDER = "jinja"
"""The theme's compiled templates, in the catalogue's cache folder."""


class CataloguePluginConfig(base.Config):  # type: ignore[no-untyped-call]
    root = c.Dir(exists=True)
    """The catalogue folder."""
    node_modules = c.Optional(c.Dir(exists=True))
    csp = c.Type(bool, default=True)
    """Add a Content-Security-Policy to every page."""
    live_reload_nonce = c.Optional(c.Type(str))
    """``omh serve``: the nonce that lets the development server's live-reload script run."""
    search = c.Type(bool, default=True)
    """Index the record pages with Pagefind for the search page."""
    cache = c.Type(bool, default=True)
    """Reuse the pages of records whose inputs are unchanged since the last build
    (``build_cache``)."""
    jobs = c.Type(int, default=0)
    """Processes building record pages (0: one per core)."""
    search_in_background = c.Type(bool, default=False)
    """``omh serve``: index for search after the build has returned, so that an edited page is
    served before the search catches up (the next build waits for it)."""
    in_place = c.Type(bool, default=False)
    """``omh serve``: each build changes the last one's files in place (``in_place``); MkDocs
    is told to build dirty."""
    spare = c.Optional(c.Type(str))
    """``omh build`` with the cache: the site before last, kept beside the site; the build
    starts from it, in place, when the cache built it (``spare_site``)."""
    theme_pages = c.Type(bool, default=True)
    """Render the pages outside the navigation in this plugin, on every core (``theme_pages``);
    otherwise MkDocs renders them in its own loop, one after the other (the same pages)."""
    search_shard_size = c.Type(int, default=0)
    """Documents per shard of the search index (0: ``search_shards.DOCUMENTS_PER_SHARD``); fewer
    give more shards, up to ``search_shards.MOST_SHARDS``."""


class CataloguePlugin(BasePlugin[CataloguePluginConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.preloaded: Catalogue | None = None
        """A catalogue ``omh build`` already loaded (saves loading it twice)."""
        self.gate: Callable[[], object] | None = None
        """``omh build``'s checks of ``preloaded``, made meanwhile: what waits for them, and
        raises when they found errors (``build.passed``). Asked once the build cache is open,
        before anything of the catalogue is derived or placed in the site."""
        self.carbon: Callable[[], CarbonReport] | None = None
        """``omh build``'s carbon figures of ``preloaded``, once the gate is passed: those the
        checks' process derived after its checks (``Checking.carbon_report``)."""
        self.site_copy: SiteCopy | None = None
        """``omh build``'s copy of the site into the spare's place, begun before the check
        (``spare_site.copy_site``)."""
        self.site: Site | None = None
        self.pages: dict[str, GeneratedPage] = {}
        self.default_date = EPOCH_DATE
        self.generate_seconds = 0.0
        self.index_seconds = 0.0
        self.generate_rss = self.mkdocs_rss = 0.0
        self.cache: BuildCache | None = None
        self._loaded: Catalogue | None = None
        """The catalogue this plugin loaded itself (``omh serve``)."""
        self._spill: Path | None = None
        """The work folder of this build's page bodies and file contents (``spill``)."""
        self._written: dict[str, str | None] = {}
        """Page path -> blob of the page as written, for the pages of the units built now."""
        self._full_content: str | None = None
        self._section: Page | None = None
        self._search_plan: ShardPlan | None = None
        """The search index's shards, as the search page was told of them."""
        self._search_work: ShardWork | None = None
        """The search index's documents and the Pagefind runs begun in ``on_files``."""
        self.in_place = False
        """Whether this build changes the files of a built site in place (``in_place``:
        ``omh serve``'s folder, or the site before last ``omh build`` starts from)."""
        self._search_begun = 0.0
        """Seconds ``on_files`` spent writing those documents and beginning the runs."""
        self._files: Files | None = None
        """Every file MkDocs was given for this build (``in_place`` keeps them)."""
        self._held: list[str] = []
        """The pages outside the navigation (their ``src_uri``): rendered by this plugin once
        MkDocs has written the rest (``theme_pages``)."""
        self._nav: Navigation | None = None
        self._env: Environment | None = None
        self._ahead: Forked[tuple[list[str], list[str]]] | None = None
        """The process placing the cached units before they are checked (``_place_ahead``)."""
        self._placing: Forked[None] | None = None
        """The process placing the reused pages and files known once the record pages were
        made (``_place_early``)."""
        self._placed: set[str] = set()
        """The reused units placed, or being placed, by those processes (their ids)."""
        self._placed_built = False
        """Whether ``Site.placed_files`` (of the units built now) are placed, or being placed,
        by the second of them."""
        self._root = ""
        """The catalogue's folder, as the placed files' sources name it."""
        self._later_paths: set[str] = set()
        """The files placed after MkDocs (``Site.later``), the theme's they replace included."""
        self.later_files = 0
        """How many of them are the site's own (not the theme's replaced)."""

    def _catalogue(self) -> Catalogue:
        if self.preloaded is not None:
            return self.preloaded
        catalogue, _ = load_catalogue(Path(self.config.root), check=False,
                                      keep_records=self.config.cache)
        self._loaded = catalogue
        return catalogue

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        root = Path(self.config.root)
        node_modules = Path(self.config.node_modules) if self.config.node_modules else None
        vendor = find_vendor_files(root, node_modules)
        start = time.perf_counter()
        _wait_for_index()  # the previous build's, when it is still being made
        catalogue = self._catalogue()
        self._later_paths, self.later_files = set(), 0
        self._placed, self._placed_built = set(), False
        self._discard_spill()
        self._spill = Path(tempfile.mkdtemp(prefix="omh-pages-"))
        site = self._generate(catalogue, config)
        self.generate_seconds = time.perf_counter() - start - self._search_begun
        self.generate_rss = peak_rss_mib()
        self.site = site
        self.pages = {page.src_uri: page for page in site.pages}
        self._written = {page.path: None for unit in site.units for page in unit.pages}
        dates = [p.date for p in site.pages if p.date] + \
            [p.date for p in site.reused_pages() if p.date]
        self.default_date = max(dates) if dates else EPOCH_DATE
        in_nav = {f"{path}index.md" for _, path in site.nav}
        self._held = [page.src_uri for page in site.pages if page.src_uri not in in_nav] \
            if self.config.theme_pages else []
        held = set(self._held)
        for page in site.pages:
            if page.src_uri not in held:
                files.append(File.generated(
                    config, page.src_uri, content="",
                    inclusion=InclusionLevel.UNDEFINED if page.src_uri in in_nav
                    else InclusionLevel.NOT_IN_NAV))
        for published in site.files:
            if published.source is not None:
                files.append(File.generated(config, published.path,
                                            abs_src_path=str(published.source)))
            else:
                files.append(File.generated(config, published.path,
                                            content=published.content or b""))
        for site_path, source in sorted(vendor.items()):
            files.append(File.generated(config, site_path, abs_src_path=str(source)))
        self._files = files
        if self.in_place:
            # Every file this build writes, unlinked first: a link (to a blob, or to the file
            # of the site being served, in a copy of it) is never written through.
            unlink_written(Path(config.site_dir), [
                *(file.dest_uri for file in files), *(f"{p.path}index.html" for p in site.pages),
                *(f"{name}{gz}" for name in config.theme.static_templates for gz in ("", ".gz")),
                *site.overrides, *(path for later in site.later for path in later.paths)])
        return files

    def _generate(self, catalogue: Catalogue, config: MkDocsConfig) -> Site:
        assert self._spill is not None
        self.cache = self._open_cache(catalogue, config)
        if self.gate is not None:
            self.gate()
        self._root = str(catalogue.root)
        self.in_place = self.config.in_place
        if self.config.spare and self.cache is not None and not self.in_place:
            self.in_place = adopt_spare(Path(self.config.spare), Path(config.site_dir),
                                         self.cache, self.site_copy)
        PAGE_TEMPLATES.bytecode_cache = self._bytecode_cache(PAGE_TEMPLATES)
        self._ahead = self._place_ahead(Path(config.site_dir), catalogue)
        # Once the placing ahead has begun (it needs only the cache), the carbon figures (made
        # beside the checks, or here), once for this process and the site-wide files'
        # (``site_files_meanwhile``).
        carbon = CarbonFigures(self.carbon()) if self.carbon is not None \
            else carbon_figures(catalogue)
        site_files = site_files_meanwhile(catalogue, carbon, self._jobs(), self._spill)
        self._search_plan = self.search_plan(catalogue)
        self._search_begun = 0.0
        try:
            with contextlib.closing(Spill(self._spill, self.cache)) as spill:
                return generate(catalogue, self.cache, self._jobs(), spill,
                                self._search_plan.folders,
                                functools.partial(self._records_done, Path(config.site_dir)),
                                site_files, carbon,
                                functools.partial(self._search_first, Path(config.site_dir),
                                                  catalogue))
        except BaseException as exc:
            if site_files is not None:  # (once ``generate`` has returned, it is ``Site.later``)
                site_files.stop()
            if isinstance(exc, ForkedFailed):
                raise PluginError(f"{PART_FAILED}: {exc}") from None
            raise

    def _records_done(self, site_dir: Path, site: Site) -> None:
        self._begin_search(site_dir, site)
        self._place_early(site_dir, site, self._placed_ahead(site_dir, site))

    def _place_ahead(self, site_dir: Path,
                     catalogue: Catalogue) -> Forked[tuple[list[str], list[str]]] | None:
        """Before the units are checked, a process forked from this one places the pages and
        files of every unit the cache holds for a record of the catalogue, as if each were
        reused (in a small rebuild nearly all are), on the other core, idle meanwhile; those
        that are not reused are taken out again once that is known (``_placed_ahead``)."""
        cache = self.cache
        if cache is None or not cache.units or self._jobs() <= 1:
            return None
        root, in_place = self._root, self.in_place
        units = [(record_id, unit) for record_id, unit in cache.units.items()
                 if dict.__contains__(catalogue.records, record_id)]
        cache.take_listing()  # (which the placing needs, as this process does)
        return run_forked(lambda: place_units(cache, root, units, site_dir, in_place))

    def _placed_ahead(self, site_dir: Path, site: Site) -> set[str]:
        """The reused units ``_place_ahead`` placed; what it placed of the units not reused is
        taken out of the site (a page built again is written afresh)."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return set()
        try:
            placed, failed = ahead.wait()
        except ForkedFailed as exc:
            raise PluginError(f"{PLACING_FAILED}: {exc}") from None
        assert self.cache is not None
        units = self.cache.units
        for record_id in {*placed, *failed} - site.reused_units.keys():
            for target in unit_targets(units[record_id], site_dir):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
        return site.reused_units.keys() & placed

    def _place_early(self, site_dir: Path, site: Site, ahead: set[str]) -> None:
        """The pages and files the records' units take from the cache, and the search index's
        shards it holds, are known once the record pages are made: a process forked from this
        one places them (those not placed ahead), on the other core, while this one makes
        MkDocs' pages (none of which is one of them). Where there is no fork, or one process
        is asked for, they are placed with the rest."""
        cache, search = self.cache, self._search_work
        if cache is None:
            return
        pending = {unit_id: unit for unit_id, unit in site.reused_units.items()
                   if unit_id not in ahead}
        pages, files = units_output(cache, self._root, pending.values())
        files += site.placed_files

        def place() -> None:
            write_reused(pages, files, cache, site_dir, self.in_place)
            if search is not None:
                place_kept(search, cache)

        placing = run_forked(place) if self._jobs() > 1 else None
        if placing is None:
            self._placed = ahead
            if search is not None:
                try:
                    place_kept(search, cache)
                except OSError as exc:
                    raise PluginError(f"{PLACING_FAILED}: {exc}") from None
            return
        if search is not None:
            search.to_place.clear()  # (placed by the new process)
        self._placing = placing
        self._placed, self._placed_built = ahead | pending.keys(), True

    def _begin_search(self, site_dir: Path, site: Site) -> None:
        """Every search document is known once the record pages are made: Pagefind's runs
        begin then and go on, in their own processes, while the lists, the catalogue's files
        and MkDocs' pages are made."""
        if not self.config.search or self.config.search_in_background:
            return
        start = time.perf_counter()
        try:
            # The shards the cache holds are placed with the reused pages (``_place_early``).
            self._search_work = self._prepare_search(site_dir, site, place=False,
                                                     first=self._search_work)
            start_shards(self._search_work, self._jobs())
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from exc
        finally:
            self._search_begun += time.perf_counter() - start

    def _search_first(self, site_dir: Path, catalogue: Catalogue, units: list[Unit]) -> None:
        """The search documents of the records changed in their own folder are known once
        their ``units`` are built, before the others' units are checked (``generate``): the
        runs of their shards begin then, on the documents the cache holds for the other pages,
        and ``_begin_search`` takes them over if those pages kept their documents (as they do
        unless one was built again and its document changed too)."""
        cache, plan = self.cache, self._search_plan
        if cache is None or plan is None or not self.config.search or \
                self.config.search_in_background:
            return
        start = time.perf_counter()
        built = {unit.record_id for unit in units}
        records = catalogue.records
        fresh = list(self._documents(Site(pages=[page for unit in units for page in unit.pages])))
        kept = (Document(page.path, None, page.index)
                for record_id, unit in cache.units.items()
                if record_id not in built and dict.__contains__(records, record_id)
                for page in unit.pages if page.index)
        shards = {shard_of(document.path, plan.count) for document in fresh}
        try:
            self._search_work = begin_first(site_dir, [*fresh, *kept], plan, cache, shards,
                                            self._jobs())
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from exc
        finally:
            self._search_begun += time.perf_counter() - start

    def _jobs(self) -> int:
        return self.config.jobs or default_jobs()

    def search_plan(self, catalogue: Catalogue) -> ShardPlan:
        """The search index's shards: decided before the pages are built, as the search page
        names them."""
        return plan_shards(searched_pages(catalogue), self.config.search_shard_size or None)

    def _open_cache(self, catalogue: Catalogue, config: MkDocsConfig) -> BuildCache | None:
        if not self.config.cache:
            return None
        root = Path(self.config.root)
        folder, within = cache_location(root, catalogue.settings.artefacts)
        options = {"csp": self.config.csp, "nonce": self.config.live_reload_nonce,
                   "search": self.config.search, "site_url": config.site_url,
                   "plugins": sorted(config.plugins)}
        key = global_key(root, [root / SETTINGS_FILE, root / THEME_FILE], options)
        kept = catalogue.store.record_cache
        cache = BuildCache(folder / BUILD_FOLDER, key, within=within,
                           digests=kept.digests if kept is not None else None,
                           list_meanwhile=self._jobs() > 1)
        if cache.ignored:
            log.warning("the build cache was not used: %s", cache.ignored)
        return cache

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self._nav = nav
        return nav

    @event_priority(-100)  # last: the environment the pages are rendered with
    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        """The theme's templates (Material's and ours) escape every value they print: a title,
        a description or the site's address is text wherever it lands in a page. What is HTML
        already (the generated page content) is handed over as ``Markup``."""
        env.autoescape = True
        install_shared_fragments(env)
        install_head_tags(env)
        # MkDocs makes a new environment for every build (and omh serve builds often): within
        # one, a template is read once, not looked at again on each of 10,000 pages.
        env.auto_reload = False
        env.bytecode_cache = self._bytecode_cache(env)
        self._env = env
        return env

    def _bytecode_cache(self, env: Environment) -> FileSystemBytecodeCache | None:
        """Where ``env``'s templates are kept compiled, for its configuration, in the build
        cache's folder: compiling the theme's and the pages' templates again is a good part of a
        small rebuild. ``None`` without a cache."""
        if self.cache is None or self.cache.folder is None:
            return None
        settings = repr((type(env.loader).__name__, env.autoescape, sorted(env.extensions),
                         env.block_start_string, env.variable_start_string, env.trim_blocks,
                         env.lstrip_blocks))
        # Compiled code is run: never from files a commit could have put there.
        kept = self.cache.folder.parent / JINJA_FOLDER
        folder = kept / hashlib.sha256(settings.encode()).hexdigest()[:16]
        if committed(kept, self.cache.within):
            return None
        try:
            check_no_symlink(folder, self.cache.within)
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return FileSystemBytecodeCache(str(folder))

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return markdown
        # The home page keeps the site's name as its title.
        if generated.path:
            page.meta["title"] = generated.title
        if generated.description:
            page.meta["description"] = generated.description
        page.meta["omh_scripts"] = sorted(generated.scripts)
        page.meta["omh_head"] = [{"element": tag.element, "attributes": dict(tag.attributes)}
                                 for tag in generated.head]
        # The tabs are the navigation; the left sidebar would only repeat them. The search page
        # needs the width of the table of contents for its filters.
        page.meta["hide"] = ["navigation", "toc"] if SEARCH in generated.scripts \
            else ["navigation"]
        if not generated.searchable:
            page.meta["search"] = {"exclude": True}
        # The sitemap's <lastmod> and the gzip timestamp come from the records, not the clock.
        page.update_date = generated.date or self.default_date
        return ""

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str:
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return html
        page.toc = get_toc([{"level": 2, "id": entry.id, "name": entry.title, "children": []}
                            for entry in generated.toc])
        # A body waiting on disk is read when the page is written (``_search_view``).
        return Markup(generated.html)  # rendered by the generator's autoescaping templates

    # Material's search plugin (on only in the search benchmark's comparison copy, see
    # mkdocs_config) indexes page.content while the page context is built: it is given the
    # page's search view (title, description, facts, card) and the page gets its full content
    # back before the theme renders it.
    @event_priority(100)
    def _search_view(self, context: dict[str, Any], /, *, page: Page, config: MkDocsConfig,
                     nav: Navigation) -> dict[str, Any]:
        generated = self.pages.get(page.file.src_uri)
        if generated is not None and generated.body is not None:
            generated = loaded(generated)
            page.content = Markup(generated.html)
        if generated is not None and generated.search_html is not None:
            self._full_content = page.content
            page.content = generated.search_html
        return context

    @event_priority(-100)
    def _full_view(self, context: dict[str, Any], /, *, page: Page, config: MkDocsConfig,
                   nav: Navigation) -> dict[str, Any]:
        if self._full_content is not None:
            page.content, self._full_content = self._full_content, None
        # A page outside the navigation (a record's) marks its kind's tab as the current one,
        # until the page is written.
        generated = self.pages.get(page.file.src_uri)
        section = f"{generated.section}index.md" if generated and generated.section else None
        for item in nav.items:
            if section and isinstance(item, Page) and item.file.src_uri == section:
                item.active = True
                self._section = item
        return context

    on_page_context = CombinedEvent(_search_view, _full_view)

    @event_priority(-100)  # last: the digest is of what MkDocs writes
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        if self._section is not None:
            self._section.active, self._section = False, None
        if self.config.csp:
            generated = self.pages.get(page.file.src_uri)
            # Only the search page runs WebAssembly (Pagefind's, when it cannot use its worker).
            wasm = generated is not None and SEARCH in generated.scripts
            output = add_policy(output, wasm=wasm, nonce=self.config.live_reload_nonce)
        path = page.file.src_uri.removesuffix("index.md")
        if path in self._written:
            if self.cache is not None:  # kept once written (``_keep_written``)
                self._written[path] = written_digest(output)
            page.content = None  # written next: its body need not stay in memory
        return output

    def on_post_template(self, output_content: str, /, *, template_name: str,
                         config: MkDocsConfig) -> str:
        if self.config.csp and template_name.endswith(".html"):
            return add_policy(output_content, nonce=self.config.live_reload_nonce)
        return output_content

    @event_priority(100)  # first: another plugin's end of the build sees these pages too
    def _render_held(self, /, *, config: MkDocsConfig) -> None:
        """The pages outside the navigation, rendered into the theme (``theme_pages``)."""
        if self.site is None or not self._held:
            return
        assert self._files is not None and self._nav is not None and self._env is not None
        theme = Theme(config, self._files, self._files.documentation_pages(), self._nav,
                      self._env, Skeletons(self._env, len(self._held)))
        with timed(self.site.stages, "pages outside the navigation"):
            for path, blob in render_pages(self._held, theme, self._jobs(), self._written_blob):
                if path in self._written:
                    self._written[path] = blob
                self._keep_indexing()

    def _keep_indexing(self) -> None:
        """Begin the search index's next shards as its runs end (``start_shards``)."""
        if self._search_work is not None:
            try:
                start_shards(self._search_work, self._jobs())
            except SearchIndexError as exc:
                raise PluginError(str(exc)) from exc

    def _written_blob(self, src_uri: str) -> tuple[str, str | None]:
        """The page's path and the digest it is kept under (rendered in a worker: the build
        learns of it from this)."""
        path = src_uri.removesuffix("index.md")
        return path, self._written.get(path)

    def _after_build(self, /, *, config: MkDocsConfig) -> None:
        if self.site is None:
            return
        self.mkdocs_rss = peak_rss_mib()
        site_dir = Path(config.site_dir)
        for path, content in sorted(self.site.overrides.items()):
            (site_dir / path).write_bytes(content)
        stages = self.site.stages
        # Placing the reused pages and files is system calls (folders and links), during which
        # this thread indexes for search: the two write different folders. The search index
        # comes before the cache is kept: the cache keeps its shards with the units.
        # A build in place removes the last build's files that this one has not, meanwhile.
        swept = remove_stale_meanwhile(site_dir, self._written_paths(config), (BUNDLE_FOLDER,),
                                       self._jobs()) if self.in_place else None
        with ThreadPoolExecutor(1, thread_name_prefix="omh-place") as placing:
            placed = placing.submit(self._place_reused, site_dir)
            work = self._search_index(site_dir) if self.config.search else None
            placed.result()
        if self.cache is not None:
            with timed(stages, "cache kept"):
                self._keep_written(self.cache, site_dir)
                save_units(self.cache, self.site, self._written, Path(self.config.root))
                if self._loaded is not None:  # omh serve: keep the cards parsed meanwhile
                    self._loaded.store.save()
        # The files made meanwhile are placed last: the dump's process is often the last to end.
        # Their paths are known beforehand (the sweep, meanwhile, keeps them).
        with timed(stages, "catalogue files"):
            self._place_later(site_dir)
        if swept is not None:
            try:
                swept()
            except OSError as exc:
                raise PluginError(str(exc)) from None
        if self.config.spare and self.cache is not None:
            note_built(self.cache, site_dir)
        if work is not None:  # the thread lets the cache go when it is done
            _INDEXING.append(threading.Thread(target=_index_later, args=(work, self.cache),
                                              name="omh-search-index", daemon=True))
            _INDEXING[-1].start()
        elif self.cache is not None:
            self.cache.close()
        self._discard_spill()

    def _place_later(self, site_dir: Path) -> None:
        """Put in the site the files made meanwhile (``Site.later``): moved from the build's
        work folder, or written; and the theme's files they replace (``Site.overrides``). A
        part's files are those it said it makes."""
        assert self.site is not None
        parts, self.site.later = self.site.later, []
        try:
            for part in parts:
                self._place_part(site_dir, part)
        finally:
            for part in parts:  # (those not placed: the build failed)
                part.stop()

    def _place_part(self, site_dir: Path, part: Meanwhile) -> None:
        try:
            made = part.result()
        except ForkedFailed as exc:
            raise PluginError(f"{PART_FAILED}: {exc}") from None
        paths = [*made.overrides, *(published.path for published in made.files)]
        unsaid = sorted(set(paths) - set(part.paths))
        if unsaid:  # (the sweep of a build in place, meanwhile, keeps only those said)
            raise PluginError(f"{PART_FAILED}: it made files it did not say it makes: "
                              f"{', '.join(unsaid[:5])}")
        self._later_paths.update(paths)
        for path, content in sorted(made.overrides.items()):
            self._put(site_dir / path, content)
        self.later_files += len(made.files)
        for published in made.files:
            self._put(site_dir / published.path, published.content or b"", published.source)

    @staticmethod
    def _put(target: Path, content: bytes, source: Path | None = None) -> None:
        """``source`` moved to ``target``, or else ``content`` written there (a link there is
        replaced, never written through)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        if source is None:
            target.write_bytes(content)
            return
        try:
            os.replace(source, target)
        except OSError:  # another file system
            shutil.copyfile(source, target)

    def _keep_written(self, cache: BuildCache, site_dir: Path) -> None:
        """Keep the pages of the units built now as MkDocs wrote them: each file is linked into
        the cache under the digest of what MkDocs was given to write (``written_digest``),
        not written a second time; a later build starting from this folder finds the page
        linked to its blob already."""
        into = str(site_dir)
        for path, blob in self._written.items():
            if blob is not None:
                self._written[path] = cache.put_file(Path(f"{into}/{path}index.html"), blob)

    def _place_reused(self, site_dir: Path) -> None:
        """The reused pages and files not placed yet (``_place_early``)."""
        assert self.site is not None
        pages, files = units_output(self.cache, self._root,
                                    (unit for unit_id, unit in self.site.reused_units.items()
                                     if unit_id not in self._placed))
        if not self._placed_built:
            files += self.site.placed_files
        with timed(self.site.stages, "pages and files placed"):
            if self._placing is not None:
                placing, self._placing = self._placing, None
                try:
                    placing.wait()
                except ForkedFailed as exc:
                    raise PluginError(f"{PLACING_FAILED}: {exc}") from None
            write_reused(pages, files, self.cache, site_dir, self.in_place)

    def _search_index(self, site_dir: Path) -> ShardWork | None:
        """Index the pages for search, in shards (``search_shards``); with
        ``search_in_background``, only place the shards the cache holds and return the rest,
        to index once the build has returned."""
        assert self.site is not None
        start = time.perf_counter()
        try:
            work = self._search_work if self._search_work is not None else \
                self._prepare_search(site_dir, self.site)
            self._search_work = None
            if self.config.search_in_background and work.stale:
                return work
            shards = index_shards(work, self.cache, self._jobs())
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from exc
        finally:
            self.index_seconds = self._search_begun + time.perf_counter() - start
        if self.cache is not None:
            self.cache.keep_shards(shards)
        return None

    def _written_paths(self, config: MkDocsConfig) -> set[str]:
        """Every file of this build but the search index's: what MkDocs wrote (its files, the
        theme's templates), the overrides, and the reused pages and files."""
        assert self.site is not None and self._files is not None
        written = {file.dest_uri for file in self._files}
        written.update(src_uri.removesuffix(".md") + ".html" for src_uri in self._held)
        written.update(config.theme.static_templates, self.site.overrides, self._later_paths,
                       *(part.paths for part in self.site.later))
        for unit in self.site.reused_units.values():
            written.update(f"{page.path}index.html" for page in unit.pages)
            written.update(path for path, _, _ in unit.files)
        written.update(path for path, _, _ in self.site.placed_files)
        return written

    def _prepare_search(self, site_dir: Path, site: Site, place: bool = True,
                        first: ShardWork | None = None) -> ShardWork:
        assert self._search_plan is not None
        return prepare_shards(site_dir, self._documents(site), self._search_plan, self.cache,
                              place, first)

    @staticmethod
    def _documents(site: Site) -> Iterator[Document]:
        """Every search document of ``site``, one at a time: the pages built now, then the
        reused ones (a document in the cache's blobs is read only when its shard is
        indexed)."""
        for page in site.pages:
            if page.index_blob is not None:
                yield Document(page.path, None, page.index_blob)
                continue
            index_html = loaded(page).index_html
            if index_html is not None:
                yield Document(page.path, index_html, None)
        for cached in site.reused_pages():
            if cached.index:
                yield Document(cached.path, None, cached.index)

    def _discard_spill(self) -> None:
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None

    on_post_build = CombinedEvent(_render_held, _after_build)

    def on_build_error(self, *, error: Exception) -> None:
        if self.site is not None:
            for later in self.site.later:
                later.stop()
            self.site.later = []
        for placing in (self._ahead, self._placing):
            if placing is not None:
                with contextlib.suppress(RuntimeError):
                    placing.wait()
        self._ahead = self._placing = None
        if self._search_work is not None:
            stop_shards(self._search_work)
            self._search_work = None
        self._discard_spill()
        if self.cache is not None:
            self.cache.close()

    def on_shutdown(self) -> None:
        _wait_for_index()

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer:
        root = Path(self.config.root)
        watch_natively(server, [path for path in (
            *(root / kind.folder for kind in KINDS.values()), root / SETTINGS_FILE)
            if path.exists()])
        nonce = self.config.live_reload_nonce
        if nonce:
            inject: Any = server._inject_js_into_html

            def inject_with_nonce(content: bytes, epoch: int) -> bytes:
                return with_nonce(bytes(inject(content, epoch)), nonce)

            server._inject_js_into_html = inject_with_nonce  # type: ignore[method-assign]
        return server


def written_digest(output: str) -> str | None:
    """The blob id of the page MkDocs writes from ``output`` (it writes no file for a blank
    one: that page is not kept)."""
    if not output.strip():
        return None
    return hashlib.sha256(output.encode("utf-8", errors="xmlcharrefreplace")).hexdigest()


_INDEXING: list[threading.Thread] = []
"""``omh serve``'s search indexing in the background (MkDocs makes a new plugin for each build:
the thread outlives the one that started it)."""


def _wait_for_index() -> None:
    while _INDEXING:
        _INDEXING.pop().join()


def _index_later(work: ShardWork, cache: BuildCache | None) -> None:
    try:
        shards = index_shards(work, cache)
    except SearchIndexError as exc:
        log.warning("%s", exc)
        shards = None
    if cache is not None:
        if shards is not None:
            cache.keep_shards(shards)
            cache.save(cache.units)
        cache.close()
