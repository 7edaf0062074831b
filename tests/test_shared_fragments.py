"""Material's navigation and tabs, rendered once for the pages on which they are the same
(``site_generator.shared_fragments``): the site is the one rendering them on every page makes,
byte for byte, with far fewer renderings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from test_build_cache import _copy_example, assert_same_site
from test_site_support import mkdocs_config
from test_theme_pages import _build

from site_generator import shared_fragments
from site_generator.generate import navigation


def test_shared_navigation_is_what_every_page_renders_for_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "catalogue"
    _copy_example(root)
    real = shared_fragments.shared
    rendered: list[str] = []

    @pass_context
    def counted(context: Context, name: str, caller: Callable[[], Markup]) -> Markup:
        def rendering() -> Markup:
            rendered.append(name)
            return caller()
        return real(context, name, rendering)  # type: ignore[no-any-return]

    @pass_context
    def unshared(context: Context, name: str, caller: Callable[[], Markup]) -> Markup:
        return caller()

    monkeypatch.setattr(shared_fragments, "shared", counted)
    _build(mkdocs_config(root, tmp_path / "shared-work", tmp_path / "shared", cache=False,
                         jobs=1))
    monkeypatch.setattr(shared_fragments, "shared", unshared)
    _build(mkdocs_config(root, tmp_path / "own-work", tmp_path / "own", cache=False, jobs=1))
    assert_same_site(tmp_path / "shared", tmp_path / "own")

    pages = len(list((tmp_path / "own").rglob("index.html")))
    in_nav = len({path for _, path in navigation()})  # each rendered for itself
    assert pages - in_nav > 40
    # Every page has a sidebar and tabs; those outside the navigation share a few renderings.
    assert rendered.count("nav") == rendered.count("tabs")
    assert 0 < rendered.count("nav") - in_nav < (pages - in_nav) / 3
    html = (tmp_path / "shared" / "models" / "index.html").read_text(encoding="utf-8")
    assert "md-tabs__item--active" in html and "md-nav__link--active" in html  # its own
