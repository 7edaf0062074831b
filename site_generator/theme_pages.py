"""The pages outside the navigation, rendered into the theme by the plugin, on every core.

MkDocs renders the pages it is given one after the other, in one process: at 10,000 records
that loop was most of a build's MkDocs stage. So the pages no navigation links to (records',
their related lists', the lists past their first page, the dashboards' own pages) are not given
to MkDocs. Once it has written the rest, the plugin renders each of them with MkDocs' own two
steps, ``_populate_page`` and ``_build_page``: every plugin's page events run and the theme's
template renders with this build's configuration, navigation, files and environment, so each
page is the one MkDocs would have written. With enough pages and no other plugin (whose own
state a worker's page events would change and lose), they are rendered in worker processes
forked from this one, which start with all of it.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, NamedTuple, TypeVar

from jinja2 import Environment
from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from site_generator.record_units import POOL_MINIMUM

T = TypeVar("T")
PAGES_PER_TASK = 64


class Theme(NamedTuple):
    """What MkDocs renders a page with, as the build has it once every page it was given is
    read."""

    config: MkDocsConfig
    files: Files
    documentation_pages: Sequence[File]
    """``files``' pages, found once: every page's context lists them."""
    nav: Navigation
    env: Environment


class Rendered(NamedTuple, Generic[T]):
    result: T
    """What ``after`` made of the pages just rendered, in the process that rendered them."""
    warnings: tuple[tuple[str, int, str], ...]
    """(logger, level, message) of what MkDocs logged meanwhile at WARNING or above."""


def render_page(src_uri: str, theme: Theme) -> None:
    """Render the generated page ``src_uri`` as MkDocs renders a page outside the navigation,
    and write it to the site."""
    config, files, pages, nav, env = theme
    file = File.generated(config, src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
    page = Page(None, file, config)
    _populate_page(page, config, files)
    _build_page(page, config, pages, nav, env)


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.name, record.levelno, record.getMessage()))


_WORK: tuple[Theme, Callable[[Sequence[str]], object]] | None = None


def _render_in_worker(src_uris: Sequence[str]) -> Rendered[object]:
    """In a worker: MkDocs' messages are kept for the build, not shown here (the worker's
    handlers are copies of the build's)."""
    assert _WORK is not None
    theme, after = _WORK
    handler = _Warnings()
    logging.getLogger("mkdocs").handlers = [handler]
    for src_uri in src_uris:
        render_page(src_uri, theme)
    return Rendered(after(src_uris), tuple(handler.seen))


def can_fork(jobs: int, pages: int, config: MkDocsConfig) -> bool:
    """Whether to render ``pages`` pages in ``jobs`` forked workers: enough of them, forking
    available, and no plugin but the catalogue's. (As for the records' units: in ``omh
    serve``, a rebuild runs beside the server's threads, whose locks the workers never take;
    Python makes logging's locks anew in a forked child.)"""
    return (jobs > 1 and pages >= POOL_MINIMUM and len(config.plugins) == 1
            and "fork" in multiprocessing.get_all_start_methods())


def render_pages(src_uris: Sequence[str], theme: Theme, jobs: int,
                 after: Callable[[Sequence[str]], T]) -> Iterator[T]:
    """Render ``src_uris``, ``PAGES_PER_TASK`` at a time; for each batch, what ``after`` (run
    where the batch was rendered) made of it. MkDocs' warnings are logged again here, so that
    a build collects a worker's as its own."""
    batches = [src_uris[i:i + PAGES_PER_TASK] for i in range(0, len(src_uris), PAGES_PER_TASK)]
    if not can_fork(jobs, len(src_uris), theme.config):
        for batch in batches:
            for src_uri in batch:
                render_page(src_uri, theme)
            yield after(batch)
        return
    global _WORK
    _WORK = (theme, after)
    gc.freeze()  # (as record_units: the collector would copy every page of memory it touched)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for done in pool.imap_unordered(_render_in_worker, batches):
                _log_again(done.warnings)
                yield done.result  # type: ignore[misc]
    finally:
        _WORK = None
        gc.unfreeze()


def _log_again(warnings: Sequence[tuple[str, int, str]]) -> None:
    for name, level, message in warnings:
        logging.getLogger(name).log(level, "%s", message)
