"""The pages outside the navigation filled into their shape's skeleton (``theme_skeleton``) are
the pages MkDocs renders itself, byte for byte, hostile titles and descriptions included (put
in escaped, as the theme prints them); a value holding a marker's character is never put in,
and a skeleton that does not give the theme's page is not used."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_build_cache import _copy_example, assert_same_site
from test_site_support import mkdocs_config
from test_theme_pages import _build

from site_generator import theme_skeleton
from site_generator.theme_skeleton import Skeleton, Skeletons

HOSTILE_NAME = 'Forecaster <script>alert(1)</script> & "friends"  of  Iris'
HOSTILE_DESCRIPTION = "Two  spaces, an <img src=x onerror=alert(1)> and \ue000omh-title\ue000."


def _hostile_catalogue(root: Path) -> None:
    _copy_example(root)
    record = root / "models/weather-forecaster/record.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("name: Nordic Station Weather Forecaster",
                                   f"name: '{HOSTILE_NAME}'", 1), encoding="utf-8")
    record = root / "datasets/iris-flower-measurements/record.yaml"
    lines = record.read_text(encoding="utf-8").splitlines()
    at = lines.index("description: >-")
    end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith("  "))
    lines[at:end] = [f"description: '{HOSTILE_DESCRIPTION}'"]
    record.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fills(monkeypatch: pytest.MonkeyPatch, fewest: int = 1) -> list[str]:
    """The titles of the pages filled into a skeleton, as they are filled (this process; not
    the markers a skeleton is tried with when it is made); skeletons made from ``fewest``
    pages outside the navigation (the example has fewer than a build needs to use them)."""
    monkeypatch.setattr(theme_skeleton, "FEWEST_PAGES", fewest)
    filled: list[str] = []
    fill = Skeleton.fill

    def noting(self: Skeleton, values: dict[str, str]) -> str:
        if not values[theme_skeleton.TITLE].startswith(theme_skeleton.TITLE):
            filled.append(values[theme_skeleton.TITLE])
        return fill(self, values)

    monkeypatch.setattr(Skeleton, "fill", noting)
    return filled


def _built_as_mkdocs_builds(root: Path, tmp_path: Path) -> Path:
    """The site of ``root`` as the plugin renders it, checked against MkDocs' own loop."""
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    _build(mkdocs_config(root, tmp_path / "ours-work", ours, jobs=1, cache=False))
    _build(mkdocs_config(root, tmp_path / "theirs-work", theirs, theme_pages=False,
                         cache=False, jobs=1))
    assert_same_site(ours, theirs)
    return ours


def test_filled_pages_are_those_mkdocs_renders(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "catalogue"
    _hostile_catalogue(root)
    filled = _fills(monkeypatch)
    ours = _built_as_mkdocs_builds(root, tmp_path)

    # Most pages outside the navigation come from a skeleton, the hostile title's too (put in
    # escaped); never a page whose value holds a marker's character.
    assert len(filled) > 40
    assert any(title.startswith("Forecaster &lt;script&gt;") for title in filled)
    assert not any("\ue000" in title or title == "Iris Flower Measurements v1.0.0 · Dataset"
               for title in filled)
    page = (ours / "models/weather-forecaster/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    page = (ours / "datasets/iris-flower-measurements/index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "\ue000omh-title\ue000" in page


def test_a_skeleton_unlike_the_theme_page_is_not_used(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A shape that leaves out what the theme renders from (here: which pages' contents hold
    a first-level heading, of which Material's template adds the title to a page without) makes
    skeletons that differ from the theme's page: the pages compared find it, and the shape's
    pages are rendered in full."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    shape = theme_skeleton._shape
    monkeypatch.setattr(theme_skeleton, "_has_h1", lambda content: False)
    monkeypatch.setattr(theme_skeleton, "_shape", lambda template, context: (
        None if shape(template, context) is None else "one shape for every page"))
    made: list[Skeleton | None] = []
    make = Skeletons._make

    def noting(self: Skeletons, *args: object) -> Skeleton | None:
        made.append(make(self, *args))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(Skeletons, "_make", noting)
    filled = _fills(monkeypatch)
    _built_as_mkdocs_builds(root, tmp_path)
    assert len(made) == 1 and made[0] is not None
    assert len(filled) <= theme_skeleton.CHECKED_PAGES  # compared, found different, dropped


def test_a_few_pages_are_rendered_in_full(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A skeleton costs three renders of its shape: fewer pages than ``FEWEST_PAGES`` (a small
    rebuild's) are rendered as MkDocs renders them, and no skeleton is made."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    made: list[object] = []
    monkeypatch.setattr(Skeletons, "_make", lambda self, *args: made.append(args))
    filled = _fills(monkeypatch, fewest=10_000)
    _built_as_mkdocs_builds(root, tmp_path)
    assert made == [] and filled == []
