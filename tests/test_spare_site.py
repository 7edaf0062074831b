"""A build with the cache starts from the site before last (``spare_site``), and ends with the
same bytes as a build into an empty folder; a folder it did not build, or built with other
settings, is never taken up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import minimal_records, write_catalogue, write_record
from test_build_cache import assert_same_site

from catalogue.model.kinds import SETTINGS_FILE
from site_generator.build import CatalogueHasErrors, build_site
from site_generator.output_dir import MARKER, MARKER_TEXT, is_built_site, spare_dir

MODEL = "models/test-model"


def _rename(root: Path, name: str) -> None:
    write_record(root, MODEL, {**minimal_records()[MODEL], "name": name})


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file()}


def test_a_rebuild_starts_from_the_site_before_last_and_ends_as_a_clean_build(
        tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    site = tmp_path / "site"
    assert not build_site(root, site).in_place
    # A page built now is kept in the cache as the file MkDocs wrote, linked, not copied.
    assert (site / MODEL / "index.html").stat().st_nlink == 2
    served = _files(site)
    first = os.lstat(site).st_ino
    _rename(root, "Second name")
    # Nothing before last yet: the site is copied as links, and the copy changed in place;
    # the site being served is not written through (it is the spare now, as it was).
    assert build_site(root, site).in_place
    spare = spare_dir(site)
    assert os.lstat(spare).st_ino == first
    assert _files(spare) == served
    assert is_built_site(spare)
    kept = os.lstat(spare).st_ino
    (spare / "stale.html").write_text("a file no build writes\n", encoding="utf-8")
    _rename(root, "Third name")
    third = build_site(root, site)
    assert third.in_place
    assert os.lstat(site).st_ino == kept  # the same folder, changed in place
    assert not (site / "stale.html").exists()
    page = (site / MODEL / "index.html").read_text(encoding="utf-8")
    assert "Third name" in page and "Second name" not in page
    build_site(root, tmp_path / "clean", cache=False)
    assert_same_site(site, tmp_path / "clean")


def test_a_folder_the_cache_did_not_build_is_never_taken_up(tmp_path: Path) -> None:
    """A spare committed to the repository, or made by hand: its files could stay in the site
    (a static file MkDocs does not copy again) or its links lead outside."""
    root = write_catalogue(tmp_path / "hub", minimal_records())
    site = tmp_path / "site"
    build_site(root, site)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n", encoding="utf-8")
    planted = spare_dir(site)
    (planted / "assets").mkdir(parents=True)
    (planted / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    (planted / "assets" / "extra.js").write_text("alert(1)\n", encoding="utf-8")
    os.symlink(outside, planted / "models")
    second = build_site(root, site)
    assert not second.in_place
    assert not (site / "assets" / "extra.js").exists()
    assert [p.name for p in outside.iterdir()] == ["precious.txt"]
    # The planted folder is gone; the site the build replaced is the spare now.
    assert not (spare_dir(site) / "assets" / "extra.js").exists()
    assert (spare_dir(site) / MODEL / "index.html").is_file()


def test_a_site_built_with_other_settings_is_not_taken_up(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    (root / SETTINGS_FILE).write_text("title: First title\n", encoding="utf-8")
    site = tmp_path / "site"
    build_site(root, site)
    build_site(root, site)
    assert build_site(root, site).in_place
    (root / SETTINGS_FILE).write_text("title: Second title\n", encoding="utf-8")
    assert not build_site(root, site).in_place
    build_site(root, tmp_path / "clean", cache=False)
    assert_same_site(site, tmp_path / "clean")


def test_a_build_that_stops_early_leaves_no_copy_of_the_site(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    site = tmp_path / "site"
    build_site(root, site)
    write_record(root, MODEL, {**minimal_records()[MODEL], "license": 42})
    with pytest.raises(CatalogueHasErrors):
        build_site(root, site)
    assert not spare_dir(site).exists()
    assert (site / MODEL / "index.html").is_file()
