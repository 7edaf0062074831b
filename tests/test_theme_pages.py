"""The pages outside the navigation, rendered by the plugin in worker processes
(``site_generator.theme_pages``), are the pages MkDocs renders in its own loop: a site built
each way is the same, byte for byte; every such page was rendered in a worker, and what MkDocs
logged there reaches the build."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from test_build_cache import _copy_example, assert_same_site
from test_site_support import mkdocs_config

from catalogue.load import forked
from site_generator import theme_pages
from site_generator.build import mkdocs_logging
from site_generator.generate import navigation
from site_generator.plugin import _wait_for_index

WATCHED = "models/climate-detection-resnet/index.md"


def _build(config_file: Path) -> list[str]:
    """A build with MkDocs' own entry point; the warnings it logged."""
    with mkdocs_logging(verbose=False) as collected:
        mkdocs_build(load_config(config_file=str(config_file)))
    _wait_for_index()
    return collected.messages


def test_pages_rendered_by_workers_are_those_mkdocs_renders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "catalogue"
    _copy_example(root)
    monkeypatch.setattr(forked, "POOL_MINIMUM", 1)  # the example has fewer pages
    rendered_by = tmp_path / "rendered-by"
    render_page = theme_pages.render_page

    def noting_where(src_uri: str, theme: theme_pages.Theme) -> None:
        with rendered_by.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {src_uri}\n")
        if src_uri == WATCHED:
            logging.getLogger("mkdocs.plugins.omh").warning("a word from %s", src_uri)
        render_page(src_uri, theme)

    monkeypatch.setattr(theme_pages, "render_page", noting_where)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    warnings = _build(mkdocs_config(root, tmp_path / "ours-work", ours, jobs=2))
    _build(mkdocs_config(root, tmp_path / "theirs-work", theirs, theme_pages=False,
                         cache=False, jobs=1))
    assert_same_site(ours, theirs)

    where = dict(reversed(line.split(" ", 1)) for line in
                 rendered_by.read_text(encoding="utf-8").splitlines())
    in_nav = {f"{path}index.md" for _, path in navigation()}
    pages = {p.relative_to(ours).as_posix().removesuffix(".html") + ".md"
             for p in ours.rglob("index.html")}
    outside = pages - in_nav
    assert set(where) == outside
    assert len(outside) > 40
    assert str(os.getpid()) not in where.values()
    assert f"a word from {WATCHED}" in warnings


def test_a_few_pages_are_rendered_here(tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Below ``POOL_MINIMUM`` pages (forking costs more), the build renders them itself."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    pids: set[int] = set()
    render_page = theme_pages.render_page

    def noting_where(src_uri: str, theme: theme_pages.Theme) -> None:
        pids.add(os.getpid())
        render_page(src_uri, theme)

    monkeypatch.setattr(theme_pages, "render_page", noting_where)
    _build(mkdocs_config(root, tmp_path / "work", tmp_path / "site", jobs=2))
    assert pids == {os.getpid()}
