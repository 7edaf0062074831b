"""The search index in shards: which shard a page falls in, and the build cache's part: a shard
whose documents are unchanged is taken from the cache (Pagefind does not run for it), one whose
documents changed is indexed again, and a tampered entry of the cache's index publishes nothing
from outside the cache.

Pagefind's runs are counted by wrapping ``search_shards.start_index``; a small number of
documents per shard gives the example catalogue several shards.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_build_cache import _copy_example, assert_same_site

from catalogue.pipeline import load_catalogue
from site_generator import pagefind_index, search_shards, theme_pages
from site_generator.build import SiteBuildError, build_site
from site_generator.build_cache import BUILD_FOLDER, DELTA_FILE, INDEX_FILE, BuildCache
from site_generator.pagefind_index import Run
from site_generator.search import searched_pages
from site_generator.search_shards import (
    MOST_SHARDS,
    plan_shards,
    shard_count,
    shard_folder,
    shard_of,
)

pytestmark = pytest.mark.slow
PER_SHARD = 6
"""Documents per shard that split the example catalogue's 34 searched pages into 4 shards."""
SHARDS = 4


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The shards Pagefind indexes (their folder names), with the example split in four."""
    monkeypatch.setattr(search_shards, "DOCUMENTS_PER_SHARD", PER_SHARD)
    indexed: list[str] = []
    real = search_shards.start_index

    def counted(work: Path) -> Run:
        indexed.append(work.name)  # the shard's number, as its bundle's folder
        return real(work)

    monkeypatch.setattr(search_shards, "start_index", counted)
    yield indexed


def _bundles(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "pagefind").iterdir())


def _cache_index(root: Path) -> Path:
    """The index file holding the cache's shards: its delta file when there is one."""
    folder = root / ".omh-cache" / BUILD_FOLDER
    return folder / DELTA_FILE if (folder / DELTA_FILE).is_file() else folder / INDEX_FILE


# -- shards ---------------------------------------------------------------------------------

def test_the_number_of_shards_grows_by_powers_of_two() -> None:
    assert [shard_count(n) for n in (0, 1, 2499, 2500, 4999, 5000, 10_000, 20_000)] == \
        [1, 1, 1, 2, 2, 4, 8, 16]
    assert shard_count(10**7) == MOST_SHARDS
    assert shard_count(34, PER_SHARD) == SHARDS
    assert shard_count(34, 0) == 1  # 0: the default


def test_a_page_keeps_its_shard() -> None:
    paths = [f"models/model-{i}/" for i in range(4000)]
    for count in (1, 2, 8):
        shards = [shard_of(path, count) for path in paths]
        assert shards == [shard_of(path, count) for path in paths]
        assert set(shards) == set(range(count))  # every shard holds some
    plan = plan_shards(paths)
    assert plan.count == 2 and plan.folders == ["pagefind/0/", "pagefind/1/"]
    assert plan_shards([]).folders == []  # nothing to search: no bundle at all


def test_the_plugin_option_sets_the_documents_per_shard() -> None:
    from site_generator.plugin import CataloguePlugin

    repository = Path(__file__).resolve().parent.parent
    catalogue, _ = load_catalogue(repository, check=False, keep_records=False)
    plugin = CataloguePlugin()
    errors, _ = plugin.load_config({"root": str(repository), "search_shard_size": PER_SHARD})
    assert errors == []
    plan = plugin.search_plan(catalogue)
    assert plan.count == SHARDS and len(plan.folders) == SHARDS
    assert plan == plan_shards(searched_pages(catalogue), PER_SHARD)


# -- the build cache ------------------------------------------------------------------------

def test_only_the_shards_whose_documents_changed_are_indexed(tmp_path: Path,
                                                             runs: list[str]) -> None:
    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first", force=True)
    assert sorted(runs) == _bundles(tmp_path / "first") == [str(i) for i in range(SHARDS)]
    search = (tmp_path / "first" / "search" / "index.html").read_text(encoding="utf-8")
    assert '"bundles": ["../pagefind/0/", "../pagefind/1/", "../pagefind/2/", ' \
        '"../pagefind/3/"]' in search
    shards = json.loads(_cache_index(root).read_text())["shards"]
    assert len(shards) == SHARDS

    runs.clear()
    again = build_site(root, tmp_path / "again", force=True)
    assert runs == [] and again.reused == again.records
    assert_same_site(tmp_path / "again", tmp_path / "first")
    blob = BuildCache(root / ".omh-cache" / BUILD_FOLDER, "-").blob_path(
        dict(next(iter(shards.values())))["pagefind.js"])
    assert (tmp_path / "again" / "pagefind" / "0" / "pagefind.js").stat().st_ino == \
        blob.stat().st_ino  # placed from the cache, not copied

    card = root / "models" / "iris-softmax-classifier" / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "\n\nA sentence about shards.\n",
                    encoding="utf-8")
    runs.clear()
    build_site(root, tmp_path / "edited", force=True)
    assert runs == [str(shard_of("models/iris-softmax-classifier/", SHARDS))]
    build_site(root, tmp_path / "clean", force=True, cache=False)
    assert sorted(runs[1:]) == [str(i) for i in range(SHARDS)]  # without a cache: every one
    assert_same_site(tmp_path / "edited", tmp_path / "clean")
    assert len(json.loads(_cache_index(root).read_text())["shards"]) == SHARDS  # none stale


def test_a_tampered_shard_entry_publishes_nothing_from_outside_the_cache(
        tmp_path: Path, runs: list[str]) -> None:
    """Each name in a shard's entry becomes a file of the site: one that leaves the bundle or
    the cache, or a blob that is a link, is not taken (the shard is indexed again)."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first", force=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the site\n")
    index_file = _cache_index(root)
    index = json.loads(index_file.read_text())
    entries = [index["shards"][key] for key in sorted(index["shards"])][:3]
    entries[0].append(["../../leak.txt", entries[0][0][1]])
    entries[1][0][1] = "../../../secret.txt"
    entry = next(blob for path, blob in entries[2] if path == "pagefind-entry.json")
    linked = BuildCache(root / ".omh-cache" / BUILD_FOLDER, "-").blob_path(entry)
    linked.unlink()
    linked.symlink_to(secret)
    index_file.write_text(json.dumps(index))
    runs.clear()
    again = build_site(root, tmp_path / "again", force=True)
    assert again.reused == again.records
    assert len(runs) == 3
    assert not any("not for the site" in p.read_text(errors="replace")
                   for p in (tmp_path / "again").rglob("*") if p.is_file())
    assert not any(p.is_symlink() for p in (tmp_path / "again").rglob("*"))
    assert not (tmp_path / "leak.txt").exists() and not (tmp_path / "again" / "leak.txt").exists()
    assert_same_site(tmp_path / "again", tmp_path / "first")


def test_omh_serve_indexes_in_the_background_with_the_cache(tmp_path: Path,
                                                            runs: list[str]) -> None:
    """``omh serve``'s builds return before the search is indexed; the next build waits for
    it, and takes from the cache the shards it kept (the plugin's option sets the number of
    documents per shard)."""
    import hashlib

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from test_site_support import mkdocs_config

    from site_generator.plugin import _wait_for_index

    root = tmp_path / "catalogue"
    _copy_example(root)
    site = tmp_path / "site"
    config_file = mkdocs_config(root, tmp_path / "work", site, search_in_background=True,
                                search_shard_size=3)
    dropped = None
    for build in range(3):
        if build == 2:  # a shard the cache no longer holds (as if its documents changed)
            index = json.loads(_cache_index(root).read_text())
            entry = (site / "pagefind" / "5" / "pagefind-entry.json").read_bytes()
            dropped = next(key for key, files in index["shards"].items()
                           if dict(files)["pagefind-entry.json"] ==
                           hashlib.sha256(entry).hexdigest())
            del index["shards"][dropped]
            _cache_index(root).write_text(json.dumps(index))
        runs.clear()
        mkdocs_build(load_config(config_file=str(config_file)))
        _wait_for_index()
        config = re.search(r'"bundles": \[([^]]*)\]',
                           (site / "search" / "index.html").read_text(encoding="utf-8"))
        assert config is not None
        bundles = [f"pagefind/{name}/" for name in _bundles(site)]
        assert [f"../{b}" for b in bundles] == json.loads(f"[{config.group(1)}]")
        assert len(bundles) == 8 and all((site / b / "pagefind.js").is_file() for b in bundles)
        shards = json.loads(_cache_index(root).read_text())["shards"]
        assert len(shards) == 8
        assert sorted(runs) == [[str(i) for i in range(8)], [], ["5"]][build]
    assert dropped in shards  # kept again once indexed
    assert shard_folder(5) == "pagefind/5/"


def test_the_documents_written_for_pagefind_are_removed_after_a_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once every run has ended, the documents written for Pagefind are removed by a process
    the build does not wait for: they are gone soon after, and nothing else is."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    (temporary / "omh-search-someone-elses").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    begun: list[Path] = []
    start = search_shards.start_index
    monkeypatch.setattr(search_shards, "start_index",
                        lambda work: begun.append(work) or start(work))
    build_site(root, tmp_path / "site", cache=False)
    assert begun and all(work.is_relative_to(temporary) for work in begun)
    deadline = time.monotonic() + 30
    while any(work.exists() for work in begun) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(work.exists() for work in begun)
    assert [p.name for p in temporary.iterdir()] == ["omh-search-someone-elses"]


def test_a_failed_index_fails_the_build_with_pagefinds_words(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Pagefind failing stops the build with what Pagefind said, and the site built before is
    left as it was."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    site = tmp_path / "site"
    build_site(root, site)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'out of sorts' >&2\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setattr(pagefind_index, "pagefind_binary", lambda: failing)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    card = root / "models" / "weather-forecaster" / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    with pytest.raises(SiteBuildError, match="could not build"):
        build_site(root, site)  # (a shard has a changed page: it is indexed again)
    assert "Pagefind could not index the site (exit status 3): out of sorts" in \
        capsys.readouterr().err
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert not list(temporary.glob("omh-search-*"))  # the documents written for Pagefind


def _watch(monkeypatch: pytest.MonkeyPatch, events: list[str], runs: list[Run], *,
           page_waits_for_run: bool = False) -> None:
    """Note in ``events`` each Pagefind run begun (``"pagefind"``; the run in ``runs``) and each
    page the plugin renders (``"page"``); with ``page_waits_for_run``, a page is rendered once
    the last run begun has ended."""
    real_start, real_render = search_shards.start_index, theme_pages.render_page

    def starting(work: Path) -> Run:
        events.append("pagefind")
        runs.append(real_start(work))
        return runs[-1]

    def rendering(src_uri: str, theme: theme_pages.Theme) -> None:
        if page_waits_for_run:
            runs[-1].process.wait()
        events.append("page")
        real_render(src_uri, theme)

    monkeypatch.setattr(search_shards, "start_index", starting)
    monkeypatch.setattr(theme_pages, "render_page", rendering)


def test_the_next_shard_begins_as_a_run_ends_while_pages_render(
        tmp_path: Path, runs: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """With one run at a time, each shard's run begins as the one before ends, while the
    plugin renders pages, not once they are all rendered."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    events: list[str] = []
    _watch(monkeypatch, events, [], page_waits_for_run=True)
    build_site(root, tmp_path / "site", force=True, cache=False, jobs=1)
    assert events.count("pagefind") == SHARDS == len(runs)
    last_page = len(events) - 1 - events[::-1].index("page")
    assert [i for i, e in enumerate(events) if e == "pagefind"][-1] < last_page, events
    assert _bundles(tmp_path / "site") == [str(shard) for shard in range(SHARDS)]


def test_pagefind_runs_while_mkdocs_renders_and_stops_with_a_failed_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind's runs begin once the pages are generated, before MkDocs renders them; a build
    that fails meanwhile ends them and removes the documents written for them."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    events: list[str] = []
    runs: list[Run] = []
    _watch(monkeypatch, events, runs)
    build_site(root, tmp_path / "site", force=True, cache=False, jobs=1)
    assert events[0] == "pagefind" and "page" in events

    def failing(src_uri: str, theme: theme_pages.Theme) -> None:
        raise RuntimeError("a page that cannot be rendered")

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setattr(theme_pages, "render_page", failing)
    runs.clear()
    with pytest.raises(RuntimeError, match="cannot be rendered"):
        build_site(root, tmp_path / "failed", force=True, cache=False, jobs=1)
    assert runs and all(run.process.poll() is not None for run in runs)
    assert not list(temporary.glob("omh-search-*"))


def _spy_runs(monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[Path, Run]], list[Run]]:
    """Each Pagefind run begun (its documents' folder, the run) and each run stopped."""
    begun: list[tuple[Path, Run]] = []
    stopped: list[Run] = []
    real_start, real_stop = search_shards.start_index, search_shards.stop_index

    def starting(work: Path) -> Run:
        begun.append((work, real_start(work)))
        return begun[-1][1]

    def stopping(run: Run) -> None:
        stopped.append(run)
        real_stop(run)

    monkeypatch.setattr(search_shards, "start_index", starting)
    monkeypatch.setattr(search_shards, "stop_index", stopping)
    return begun, stopped


def _named_with_a_neighbour(root: Path) -> tuple[str, str]:
    """An organisation and a record that names it (its search document shows the name), whose
    pages are in the same shard."""
    for record in sorted(root.glob("*/*/record.yaml")):
        data = yaml.safe_load(record.read_text(encoding="utf-8"))
        page = f"{record.parent.parent.name}/{record.parent.name}/"
        for named in [*data.get("affiliations", []), data.get("organization")]:
            if isinstance(named, str) and named.startswith("organizations/") and \
                    shard_of(f"{named}/", SHARDS) == shard_of(page, SHARDS):
                return named, page
    raise AssertionError("no organisation shares a shard with a record that names it")


def test_the_run_begun_for_an_edited_record_is_taken_or_begun_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record edited in its own folder has its shard indexed as soon as its page is built,
    with the documents the cache holds for the shard's other pages, before the other pages
    are checked. That run is the shard's when those documents are unchanged (a card edited);
    when another page of the shard changed its document too (the members of a renamed
    organisation name it), it is stopped and the shard indexed again. Either way the site is
    the one a clean build makes."""
    monkeypatch.setattr(search_shards, "DOCUMENTS_PER_SHARD", PER_SHARD)
    root = tmp_path / "catalogue"
    _copy_example(root)
    site = tmp_path / "site"
    build_site(root, site, force=True)
    begun, stopped = _spy_runs(monkeypatch)

    card = root / "models" / "iris-softmax-classifier" / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "\n\nA sentence about shards.\n",
                    encoding="utf-8")
    shard = str(shard_of("models/iris-softmax-classifier/", SHARDS))
    build_site(root, site, force=True)
    assert [(work.parent.name, work.name) for work, _ in begun] == [("first", shard)]
    assert stopped == []
    build_site(root, tmp_path / "clean", force=True, cache=False)
    assert_same_site(site, tmp_path / "clean")

    organisation, neighbour = _named_with_a_neighbour(root)
    record = root / organisation / "record.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(
        "\nname: ", "\nname: Renamed ", 1), encoding="utf-8")
    shard = str(shard_of(f"{organisation}/", SHARDS))
    begun.clear()
    build_site(root, site, force=True)
    first = [run for work, run in begun if work.parent.name == "first"]
    assert [work.name for work, _ in begun if work.parent.name == "first"] == [shard]
    assert stopped == first, neighbour  # its document named the organisation as it was
    assert shard in [work.name for work, _ in begun if work.parent.name != "first"]
    build_site(root, tmp_path / "clean2", force=True, cache=False)
    assert "Renamed" in (site / organisation / "index.html").read_text(encoding="utf-8")
    assert_same_site(site, tmp_path / "clean2")
