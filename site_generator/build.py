"""``omh build`` and ``omh serve``: check the catalogue, then let MkDocs build or serve the site.

The MkDocs configuration and its (empty) ``docs_dir`` live in a temporary work folder; pages and
files reach MkDocs through the ``omh`` plugin, in memory. The only thing written is the site.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.commands.serve import serve as mkdocs_serve
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from catalogue.model.findings import Finding, Severity
from catalogue.model.kinds import KINDS_BY_FOLDER, SETTINGS_FILE
from catalogue.pipeline import Catalogue, load_catalogue, load_settings
from site_generator.assets import find_vendor_files
from site_generator.generate import navigation
from site_generator.mkdocs_config import PLUGIN, write_config
from site_generator.plugin import CataloguePlugin

DEFAULT_SITE_DIR = "site"
SITE_MARKERS = ("index.html", "404.html", "sitemap.xml")


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
    indexing the pages for search."""


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


def check_plugin_installed() -> None:
    if not entry_points(group="mkdocs.plugins", name=PLUGIN):
        raise SiteBuildError(f"the MkDocs plugin '{PLUGIN}' is not registered: reinstall the "
                             "project with `pip install -e .`")


def check_site_dir(root: Path, site_dir: Path) -> None:
    """Refuse an output folder whose cleaning would delete the catalogue or other files."""
    if site_dir == root or site_dir in root.parents:
        raise SiteBuildError(f"--site-dir {site_dir}: the site folder cannot be the catalogue "
                             "folder or one of its parents (building empties it first)")
    relative = site_dir.relative_to(root).parts if site_dir.is_relative_to(root) else ()
    if relative and (relative[0] in KINDS_BY_FOLDER or relative[0] in ("schemas", ".git")):
        raise SiteBuildError(f"--site-dir {site_dir}: inside the catalogue's {relative[0]}/ "
                             "folder; use a folder of its own, such as site/")
    if site_dir.exists() and not site_dir.is_dir():
        raise SiteBuildError(f"--site-dir {site_dir}: is a file, not a folder")
    if site_dir.is_dir() and any(site_dir.iterdir()) and \
            not any((site_dir / marker).is_file() for marker in SITE_MARKERS):
        raise SiteBuildError(f"--site-dir {site_dir}: the folder is not empty and does not hold a "
                             "built site; building would delete its files. Empty it or choose "
                             "another folder")


def load_checked(root: Path, force: bool) -> tuple[Catalogue, list[Finding]]:
    catalogue, findings = load_catalogue(root, check=True)
    if any(f.severity is Severity.ERROR for f in findings) and not force:
        raise CatalogueHasErrors(findings, len(catalogue.store.paths))
    return catalogue, findings


def build_site(root: Path, site_dir: Path | None = None, *, force: bool = False,
               verbose: bool = False, node_modules: Path | None = None,
               catalogue: Catalogue | None = None,
               material_search: bool = False) -> BuildResult:
    """Check the catalogue and build its site into ``site_dir`` (default: ``<root>/site``).

    Raises ``SiteBuildError`` (with a message for people) when the catalogue has errors and
    ``force`` is not given, when the output folder is unsafe to clean, or when the JavaScript
    libraries are not installed. ``material_search`` adds MkDocs Material's built-in search
    beside the site's own (for the search benchmark's comparison).
    """
    start = time.perf_counter()
    root = root.resolve()
    site_dir = (site_dir or root / DEFAULT_SITE_DIR).resolve()
    check_site_dir(root, site_dir)
    check_plugin_installed()
    find_vendor_files(root, node_modules)
    findings: list[Finding] = []
    if catalogue is None:
        catalogue, findings = load_checked(root, force)
    checked = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="omh-build-") as work:
        config_file = write_config(Path(work), root, site_dir, catalogue.settings, navigation(),
                                   node_modules=node_modules, material_search=material_search)
        with mkdocs_logging(verbose) as collected:
            try:
                config = load_config(config_file=str(config_file))
                plugin = config.plugins[PLUGIN]
                assert isinstance(plugin, CataloguePlugin)
                plugin.preloaded = catalogue
                mkdocs_build(config)
            except MkDocsException as exc:
                raise SiteBuildError(f"MkDocs could not build the site: {exc}") from exc
        site = plugin.site
        assert site is not None
    end = time.perf_counter()
    timings = {"check": checked - start, "generate": plugin.generate_seconds,
               "mkdocs": end - checked - plugin.generate_seconds - plugin.index_seconds,
               "search index": plugin.index_seconds}
    return BuildResult(site_dir, len(catalogue.records), len(site.pages), len(site.files),
                       end - start, findings, collected.messages, timings)


def serve_site(root: Path, *, dev_addr: str = "127.0.0.1:8000", open_browser: bool = False,
               node_modules: Path | None = None, verbose: bool = True) -> None:
    """Preview the site with live reload: a change to a record rebuilds the pages."""
    root = root.resolve()
    check_plugin_installed()
    find_vendor_files(root, node_modules)
    settings, _ = load_settings(root)
    with tempfile.TemporaryDirectory(prefix="omh-serve-") as work:
        # Live reload injects an inline script into each page, which the CSP would block.
        config_file = write_config(Path(work), root, Path(work) / "site", settings,
                                   navigation(), csp=False, node_modules=node_modules)
        watch = [str(root / SETTINGS_FILE)] if (root / SETTINGS_FILE).is_file() else []
        with mkdocs_logging(verbose):
            try:
                mkdocs_serve(config_file=str(config_file), livereload=True, dev_addr=dev_addr,
                             open_in_browser=open_browser, watch=watch)
            except MkDocsException as exc:
                raise SiteBuildError(f"MkDocs could not serve the site: {exc}") from exc
