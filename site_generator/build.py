"""``omh build`` and ``omh serve``: check the catalogue, then let MkDocs build or serve the site.

The MkDocs configuration and its (empty) ``docs_dir`` live in a temporary work folder; pages and
files reach MkDocs through the ``omh`` plugin, in memory. The only thing written is the site,
built beside its folder and swapped in whole (``site_generator.output_dir``), from the site before
last when the build cache made it (``site_generator.spare_site``).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from catalogue.derive.carbon_rollup import CarbonReport
from catalogue.load.collector import fewer_collections
from catalogue.load.forked import ForkedFailed
from catalogue.model.findings import Finding, Severity
from catalogue.model.kinds import SETTINGS_FILE
from catalogue.pipeline import Catalogue, Checking, load_checking, load_settings, load_theme
from site_generator.assets import find_vendor_files
from site_generator.csp import new_nonce
from site_generator.generate import navigation
from site_generator.measure import peak_rss_mib
from site_generator.mkdocs_config import PLUGIN, write_config
from site_generator.output_dir import (
    UnsafeSiteDir,
    check_site_dir,
    discard,
    spare_dir,
    staging_dir,
    swap_in,
)
from site_generator.plugin import CataloguePlugin
from site_generator.shared_units import count_record_units
from site_generator.spare_site import SiteCopy, copy_site, stop_copy

DEFAULT_SITE_DIR = "site"


class SiteBuildError(Exception):
    """Something a person must fix before the site can be built; the message says what."""


class CatalogueHasErrors(SiteBuildError):
    def __init__(self, findings: list[Finding], checked: int) -> None:
        self.findings = findings
        self.checked = checked
        errors = sum(1 for f in findings if f.severity is Severity.ERROR)
        super().__init__(f"the catalogue has {errors} error(s): the site was not built; fix "
                         "them (see above, or run omh validate) or build anyway with --force")


@dataclass
class BuildResult:
    site_dir: Path
    records: int
    pages: int
    files: int
    seconds: float
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What MkDocs warned about while building."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent loading and checking the catalogue, generating pages, in MkDocs, and
    indexing the pages for search; then, in parentheses, parts of those stages."""
    reused: int = 0
    """Records whose pages and files came from the build cache."""
    peak_rss: dict[str, float] = field(default_factory=dict)
    """Peak memory (MiB) when each stage ended (``memory.peak_rss_mib``)."""
    rendered: int = 0
    """Pages MkDocs rendered (the others came from the build cache as it wrote them)."""
    in_place: bool = False
    """Whether the build started from the site before last (``spare_site``)."""
    made: tuple[object, ...] = field(default=(), repr=False, compare=False)
    """The build's own objects (the catalogue, MkDocs' configuration with the plugin's
    state), handed over with the result: freeing them, one by one, took 0.6 s at 10,000
    records, which ``omh build`` leaves to the end of its process (``omh.cli.finish``)."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def mkdocs_logging(verbose: bool) -> Iterator[_Collect]:
    """Collect MkDocs' warnings (and show its progress with ``verbose``)."""
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(logging.Formatter("mkdocs: %(levelname)s: %(message)s"))
    stream.setLevel(logging.INFO if verbose else logging.ERROR)
    saved = (logger.level, logger.propagate)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
    logger.addHandler(collect)
    logger.addHandler(stream)
    try:
        yield collect
    finally:
        logger.removeHandler(collect)
        logger.removeHandler(stream)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


@contextlib.contextmanager
def _without_dirty_warning() -> Iterator[None]:
    """MkDocs warns on every dirty build that the site may hold stale files and links; the
    plugin removes stale files (``in_place``) and renders the pages that link to a changed
    one, and ``omh serve`` would repeat the warning on every edit."""
    logger = logging.getLogger("mkdocs.commands.build")

    def not_dirty(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")

    logger.addFilter(not_dirty)
    try:
        yield
    finally:
        logger.removeFilter(not_dirty)


def check_plugin_installed() -> None:
    if not entry_points(group="mkdocs.plugins", name=PLUGIN):
        raise SiteBuildError(f"the MkDocs plugin '{PLUGIN}' is not registered: reinstall the "
                             "project with `pip install -e .`")


Gate = Callable[[], list[Finding]]
"""The checks' findings, once they are done; raises ``SiteBuildError`` when they found errors
and the build was not forced (``passed``)."""


def passed(checking: Checking, force: bool, checked: int) -> list[Finding]:
    """The gate of a build whose ``checked`` records are being checked (``checking``)."""
    try:
        findings = checking.findings()
    except ForkedFailed as exc:
        raise SiteBuildError(f"the checks could not be run: {exc}") from None
    if any(f.severity is Severity.ERROR for f in findings) and not force:
        raise CatalogueHasErrors(findings, checked)
    return findings


@fewer_collections()
def build_site(root: Path, site_dir: Path | None = None, *, force: bool = False,
               verbose: bool = False, node_modules: Path | None = None,
               catalogue: Catalogue | None = None,
               material_search: bool = False, cache: bool = True,
               jobs: int = 0) -> BuildResult:
    """Check the catalogue and build its site into ``site_dir`` (default: ``<root>/site``).

    Raises ``SiteBuildError`` (with a message for people) when the catalogue has errors and
    ``force`` is not given, when the output folder is unsafe to clean, or when the JavaScript
    libraries are not installed. ``material_search`` adds MkDocs Material's built-in search
    beside the site's own (for the search benchmark's comparison). ``cache``: reuse the pages
    of records unchanged since the last build (``build_cache``); ``jobs``: processes building
    record pages (0: one per core, 1: this process only).
    """
    start = time.perf_counter()
    root = root.resolve()
    # Absolute but not resolved: a symlink must be seen, not followed.
    site_dir = Path(os.path.abspath(site_dir or root / DEFAULT_SITE_DIR))
    try:
        check_site_dir(root, site_dir)
    except UnsafeSiteDir as exc:
        raise SiteBuildError(str(exc)) from None
    check_plugin_installed()
    find_vendor_files(root, node_modules)
    # The site before last, where a cached build starts from; without one, the site is copied
    # into its place meanwhile (on the other core).
    spare = spare_dir(site_dir) if cache else None
    copy = copy_site(site_dir, spare) if spare is not None else None
    try:
        return _build(root, site_dir, spare, copy, force=force, verbose=verbose,
                      node_modules=node_modules, catalogue=catalogue,
                      material_search=material_search, cache=cache, jobs=jobs, start=start)
    finally:
        if spare is not None and copy is not None and not copy.taken:  # (ended before it)
            stop_copy(copy, spare)


def _build(root: Path, site_dir: Path, spare: Path | None, copy: SiteCopy | None, *,
           force: bool, verbose: bool, node_modules: Path | None, catalogue: Catalogue | None,
           material_search: bool, cache: bool, jobs: int, start: float) -> BuildResult:
    """``build_site`` once the site's ``copy`` (if any) has begun."""
    def build(catalogue: Catalogue, gate: Gate,
              carbon: Callable[[], CarbonReport] | None = None) -> BuildResult:
        return _build_from(catalogue, gate, carbon, root, site_dir, spare, copy,
                           verbose=verbose,
                           node_modules=node_modules,
                           material_search=material_search, cache=cache, jobs=jobs,
                           start=start)

    if catalogue is not None:
        return build(catalogue, list)
    catalogue, checking = load_checking(root, keep_records=cache, jobs=jobs,
                                        save_meanwhile=True)
    gate = functools.partial(passed, checking, force, len(catalogue.store.paths))
    try:
        if not checking.meanwhile:
            gate()  # (nothing is begun for a catalogue the checks refuse)
        return build(catalogue, gate, functools.partial(checking.carbon_report, catalogue))
    except Exception:
        gate()  # what the checks found comes before what building an unchecked catalogue raised
        raise
    finally:
        checking.stop()
        catalogue.store.settle()  # the records kept for the next run, meanwhile


def _build_from(catalogue: Catalogue, gate: Gate, carbon: Callable[[], CarbonReport] | None,
                root: Path, site_dir: Path,
                spare: Path | None, copy: SiteCopy | None, *, verbose: bool,
                node_modules: Path | None, material_search: bool, cache: bool, jobs: int,
                start: float) -> BuildResult:
    theme, _ = load_theme(root)  # its findings are omh validate's
    checked = time.perf_counter()
    checked_rss = peak_rss_mib()
    staged = staging_dir(site_dir)
    try:
        with tempfile.TemporaryDirectory(prefix="omh-build-") as work:
            config_file = write_config(Path(work), root, staged, catalogue.settings,
                                       navigation(), theme=theme, node_modules=node_modules,
                                       material_search=material_search,
                                       plugin_options={
                                           "cache": cache, "jobs": jobs,
                                           "spare": str(spare) if spare else None})
            with mkdocs_logging(verbose) as collected:
                try:
                    config = load_config(config_file=str(config_file))
                    plugin = config.plugins[PLUGIN]
                    assert isinstance(plugin, CataloguePlugin)
                    # MkDocs keeps one plugin object for every build of this process (it has
                    # an on_shutdown): the catalogue is this build's only.
                    plugin.preloaded, plugin.gate = catalogue, gate
                    plugin.site_copy, plugin.carbon = copy, carbon
                    try:
                        mkdocs_build(config)
                    finally:
                        plugin.preloaded = plugin.site_copy = plugin.gate = None
                        plugin.carbon = None
                except MkDocsException as exc:
                    raise SiteBuildError(f"MkDocs could not build the site: {exc}") from exc
            site = plugin.site
            assert site is not None
        findings = gate()  # (asked for by the plugin before the pages were made)
        swapped = time.perf_counter()
        swap_in(root, staged, site_dir, keep_spare=plugin.cache is not None and
                plugin.cache.folder is not None)
        swap_seconds = time.perf_counter() - swapped
    except UnsafeSiteDir as exc:
        raise SiteBuildError(str(exc)) from None
    finally:
        discard(staged)
    end = time.perf_counter()
    timings = {"check": checked - start, "generate": plugin.generate_seconds,
               "mkdocs": end - checked - plugin.generate_seconds - plugin.index_seconds,
               "search index": plugin.index_seconds,
               **{f"({name})": seconds for name, seconds in site.stages.items()},
               "(site swapped in)": swap_seconds}
    reused = site.reused_units.values()
    return BuildResult(site_dir, len(catalogue.records),
                       len(site.pages) + sum(len(unit.pages) for unit in reused),
                       len(site.files) + len(site.placed_files) + plugin.later_files +
                       sum(len(unit.files) for unit in reused),
                       end - start, findings, collected.messages, timings,
                       count_record_units(site.reused_units),
                       {"check": checked_rss, "generate": plugin.generate_rss,
                        "mkdocs": plugin.mkdocs_rss, "search index": peak_rss_mib()},
                       len(site.pages), plugin.in_place, (catalogue, config, site))


def serve_site(root: Path, *, dev_addr: str = "127.0.0.1:8000", open_browser: bool = False,
               node_modules: Path | None = None, verbose: bool = True) -> None:
    """Preview the site with live reload: a change to a record rebuilds the pages."""
    from mkdocs.commands.serve import serve as mkdocs_serve  # (a build needs no server)

    root = root.resolve()
    check_plugin_installed()
    find_vendor_files(root, node_modules)
    settings, _ = load_settings(root)
    theme, _ = load_theme(root)
    with tempfile.TemporaryDirectory(prefix="omh-serve-") as work:
        # Pages keep their CSP; the live-reload script the server adds carries its nonce.
        config_file = write_config(Path(work), root, Path(work) / "site", settings,
                                   navigation(), theme=theme, live_reload_nonce=new_nonce(),
                                   node_modules=node_modules,
                                   plugin_options={"search_in_background": True,
                                                   "in_place": True})
        watch = [str(root / SETTINGS_FILE)] if (root / SETTINGS_FILE).is_file() else []
        with mkdocs_logging(verbose), _without_dirty_warning():
            try:
                mkdocs_serve(config_file=str(config_file), livereload=True, dev_addr=dev_addr,
                             open_in_browser=open_browser, watch=watch, build_type="dirty")
            except MkDocsException as exc:
                raise SiteBuildError(f"MkDocs could not serve the site: {exc}") from exc
