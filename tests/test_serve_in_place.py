"""``omh serve`` builds in place (``site_generator.in_place``): after random edits (a record
changed, added, deleted, renamed, a reference added), the folder it built in holds exactly what
a build of the same configuration into an empty folder holds, and no build wrote through a link
into the build cache's blobs."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from pytest import MonkeyPatch
from test_build_cache import _copy_example, _edit, assert_same_site
from test_site_support import mkdocs_config

from site_generator.build_cache import BLOBS, BUILD_FOLDER
from site_generator.cached_output import place_files
from site_generator.in_place import StaleNotRemoved, remove_stale_meanwhile
from site_generator.plugin import _wait_for_index


def _build(config_file: Path, site: Path, dirty: bool) -> None:
    """A build with the configuration of ``config_file`` into ``site``: in place (and with the
    build cache) when ``dirty``, else into an empty folder without the cache."""
    options = {} if dirty else {"plugins": {"omh": {**_plugin_options(config_file),
                                                    "cache": False, "in_place": False}}}
    mkdocs_build(load_config(config_file=str(config_file), site_dir=str(site), **options),
                 dirty=dirty)
    _wait_for_index()


def _plugin_options(config_file: Path) -> dict[str, object]:
    config = json.loads(config_file.read_text())
    return next(dict(p["omh"]) for p in config["plugins"] if isinstance(p, dict) and "omh" in p)


def _blobs_are_intact(root: Path) -> None:
    """Every blob still holds the bytes it is named by (a page or file is a blob's name, the
    SHA-256 of its content)."""
    blobs = [p for p in (root / ".omh-cache" / BUILD_FOLDER / BLOBS).rglob("*") if p.is_file()]
    assert blobs
    damaged = [p.name for p in blobs if hashlib.sha256(p.read_bytes()).hexdigest() != p.name]
    assert damaged == []


def test_a_build_in_place_leaves_what_a_clean_build_writes(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    _copy_example(root)
    served = tmp_path / "served"
    config_file = mkdocs_config(root, tmp_path / "work", served, "n0nce", in_place=True,
                                search_shard_size=4)
    _build(config_file, served, dirty=True)
    rng = random.Random(17)  # (edits that keep every record valid YAML)
    for round_number in (1, 2):
        done = _edit(root, rng, round_number)
        _build(config_file, served, dirty=True)
        clean = tmp_path / f"clean{round_number}"
        _build(config_file, clean, dirty=False)
        assert_same_site(served, clean), done
        _blobs_are_intact(root)
    # A page that is a link to a blob, rendered again: the blob keeps its bytes.
    page = next(p for p in sorted(served.glob("resources/*/index.html"))
                if p.stat().st_nlink > 1)
    held = tmp_path / "held"
    held.hardlink_to(page)
    before = held.read_bytes()
    record = root / page.parent.relative_to(served) / "record.yaml"
    record.write_text(record.read_text().replace("\nname: ", "\nname: Edited ", 1))
    _build(config_file, served, dirty=True)
    assert held.read_bytes() == before  # not written through
    assert b"Edited " in page.read_bytes()
    # A stray file in the folder (a page of a record deleted while the server was stopped,
    # say) goes at the next build; the search index's bundles are left to the search index.
    (served / "models" / "gone").mkdir()
    (served / "models" / "gone" / "index.html").write_text("stale")
    _build(config_file, served, dirty=True)
    assert not (served / "models" / "gone").exists()
    clean = tmp_path / "clean3"
    _build(config_file, clean, dirty=False)
    assert_same_site(served, clean)


def _last_site(site: Path) -> None:
    """A site as the last build left it: a page and a file kept, a record's folder and a
    list's page gone from this build, a folder an expected file is about to be placed in."""
    for path in ("index.html", "models/kept/index.html", "models/kept/record.json",
                 "models/gone/index.html", "models/gone/record.json", "lists/2/index.html",
                 "pagefind/0/pagefind.js"):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(path)
    (site / "models" / "new").mkdir()


EXPECTED = {"index.html", "models/kept/index.html", "models/kept/record.json",
            "models/new/index.html"}


def _files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*")}


def test_the_sweep_removes_what_the_build_has_not_and_keeps_folders_being_filled(
        tmp_path: Path) -> None:
    """The sweep runs while the build places its files: it leaves alone the (empty) folder of a
    file not placed yet, and the search index's folder, which the indexing writes."""
    site = tmp_path / "site"
    _last_site(site)
    for jobs in (1, 2):
        remove_stale_meanwhile(site, EXPECTED, ("pagefind",), jobs)()
        assert _files(site) == {"index.html", "models", "models/kept", "models/kept/index.html",
                                "models/kept/record.json", "models/new", "pagefind",
                                "pagefind/0", "pagefind/0/pagefind.js"}


def test_a_sweep_that_fails_says_where(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    """The sweep runs in a process of its own: what stopped it reaches the build as a message
    naming the site's folder and the file."""
    site = tmp_path / "site"
    _last_site(site)
    unlink = os.unlink

    def refuse(path: str, *args: object, **kwargs: object) -> None:
        if path.endswith("gone/record.json"):
            raise PermissionError(13, "Permission denied", path)
        unlink(path)

    monkeypatch.setattr(os, "unlink", refuse)
    for jobs in (1, 2):
        with pytest.raises(StaleNotRemoved) as raised:
            remove_stale_meanwhile(site, EXPECTED, ("pagefind",), jobs)()
        assert f"could not all be removed from {site}" in str(raised.value)
        assert "Permission denied" in str(raised.value)
        assert "gone/record.json" in str(raised.value)


def test_placing_in_place_keeps_the_links_that_are_right_and_mends_the_others(
        tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    """A file already linked to its blob is left as it is; one that is another file (replaced,
    or written through by something else) or missing is linked again; with or without the
    cache's identities of its blobs (a file system whose listings give other inodes)."""
    blobs, site = tmp_path / "blobs", tmp_path / "site"
    blobs.mkdir()
    sources = {name: blobs / name for name in ("a", "b", "c")}
    for name, source in sources.items():
        source.write_text(f"blob {name}")
    files = [(str(source), f"{site}/models/x/{name}.json", True)
             for name, source in sources.items()]

    def identity(path: str) -> tuple[int, int] | None:
        status = os.stat(path)
        return status.st_dev, status.st_ino

    link, linked = os.link, []

    def counted(source: str, target: str, **kwargs: bool) -> None:
        link(source, target, **kwargs)
        linked.append(os.path.basename(target))

    for known in (identity, None):
        place_files(files)
        (site / "models/x/b.json").unlink()
        (site / "models/x/b.json").write_text("not the blob")
        (site / "models/x/c.json").unlink()
        with monkeypatch.context() as patch:
            patch.setattr(os, "link", counted)
            place_files(files, keep_same=True, identity=known)
        assert linked == ["b.json", "c.json"]
        linked.clear()
        for name, source in sources.items():
            assert os.path.samefile(site / "models/x" / f"{name}.json", source)
        shutil.rmtree(site)
