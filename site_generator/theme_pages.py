"""The pages outside the navigation, rendered into the theme by the plugin, on every core.

MkDocs renders the pages it is given one after the other, in one process: at 10,000 records
that loop was most of a build's MkDocs stage. So the pages no navigation links to (records',
their related lists', the lists past their first page, the dashboards' own pages) are not given
to MkDocs. Once it has written the rest, the plugin renders each of them with MkDocs' own two
steps, ``_populate_page`` and ``_build_page``: every plugin's page events run and the theme's
template renders with this build's configuration, navigation, files and environment, so each
page is the one MkDocs would have written. With enough pages and no other plugin (whose own
state a worker's page events would change and lose), they are rendered in worker processes
forked from this one (``forked``), which start with all of it. The theme's template itself is
rendered once for each shape of page, and each page filled into it (``theme_skeleton``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, NamedTuple, TypeVar

from jinja2 import Environment
from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from catalogue.load.forked import forked_map
from site_generator.theme_skeleton import SkeletonEnvironment, Skeletons

T = TypeVar("T")


class Theme(NamedTuple):
    """What MkDocs renders a page with, as the build has it once every page it was given is
    read."""

    config: MkDocsConfig
    files: Files
    documentation_pages: Sequence[File]
    """``files``' pages, found once: every page's context lists them."""
    nav: Navigation
    env: Environment
    skeletons: Skeletons
    """The theme's page for each shape of page, made in each process that renders pages."""


class Rendered(NamedTuple, Generic[T]):
    result: T
    """What ``after`` made of the page just rendered, in the process that rendered it."""
    warnings: tuple[tuple[str, int, str], ...]
    """(logger, level, message) of what MkDocs logged meanwhile at WARNING or above."""


class _GeneratedPage(Page):
    """A page of the generator's: its Markdown is empty (the plugin gives MkDocs its body as
    HTML), and converting nothing gives what ``_empty`` sets, without building a Markdown
    instance with every extension of the configuration for each of 10,000 pages."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown:  # (another plugin's page event gave it some)
            super().render(config, files)
        else:
            _empty(self)


def _empty(page: Page) -> None:
    """What ``Page.render`` sets for an empty Markdown source."""
    page.content, page.toc, page._title_from_render = "", get_toc([]), None
    page.present_anchor_ids = set()
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {}


def render_page(src_uri: str, theme: Theme) -> None:
    """Render the generated page ``src_uri`` as MkDocs renders a page outside the navigation,
    and write it to the site."""
    config, files, pages, nav, _, skeletons = theme
    file = File.generated(config, src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
    page = _GeneratedPage(None, file, config)
    _populate_page(page, config, files)
    # MkDocs asks its environment for the template only; the page is rendered through its
    # shape's skeleton (``theme_skeleton``), or in full.
    _build_page(page, config, pages, nav, SkeletonEnvironment(skeletons))  # type: ignore[arg-type]


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.name, record.levelno, record.getMessage()))


def render_pages(src_uris: Sequence[str], theme: Theme, jobs: int,
                 after: Callable[[str], T]) -> Iterator[T]:
    """Render ``src_uris``; for each, what ``after`` (run where the page was rendered) made of
    it. In worker processes (``forked``) when there is no plugin but the catalogue's, whose own
    state a worker's page events would change and lose; MkDocs' messages in a worker are kept
    for the build, not shown there (its handlers are copies of the build's), and logged again
    here, so that a build collects them as its own."""
    build = os.getpid()

    def render(src_uri: str) -> Rendered[T]:
        if os.getpid() == build:
            render_page(src_uri, theme)
            return Rendered(after(src_uri), ())
        handler = _Warnings()
        logging.getLogger("mkdocs").handlers = [handler]
        render_page(src_uri, theme)
        return Rendered(after(src_uri), tuple(handler.seen))

    for done in forked_map(render, src_uris, jobs if len(theme.config.plugins) == 1 else 1):
        for name, level, message in done.warnings:
            logging.getLogger(name).log(level, "%s", message)
        yield done.result
