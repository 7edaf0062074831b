"""A function run in a forked process (``forked.run_forked``): it starts with what this process
holds, its failure reaches the waiting process as a message, and a build whose early placing
of reused pages fails says so instead of swapping in a site with pages missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import minimal_records, write_catalogue, write_record

from catalogue.load.forked import run_forked
from site_generator import plugin
from site_generator.build import SiteBuildError, build_site


def test_the_work_runs_in_another_process_with_what_this_one_holds(tmp_path: Path) -> None:
    held = {"word": "kept"}
    out = tmp_path / "out.txt"
    forked = run_forked(lambda: out.write_text(f"{held['word']} {os.getpid()}"))
    assert forked is not None
    forked.wait()
    word, pid = out.read_text().split()
    assert word == "kept" and int(pid) != os.getpid()


def test_what_the_work_raised_reaches_the_waiting_process() -> None:
    def fails() -> None:
        raise OSError("No space left on device")

    forked = run_forked(fails)
    assert forked is not None
    with pytest.raises(RuntimeError, match="OSError: No space left on device"):
        forked.wait()


def test_a_build_whose_early_placing_fails_says_so(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    site = tmp_path / "site"
    build_site(root, site)
    before = {p.relative_to(site) for p in site.rglob("*")}
    write_record(root, "models/test-model",
                 {**minimal_records()["models/test-model"], "name": "Renamed"})
    tried = tmp_path / "tried-by"

    def failing(*args: object, **kwargs: object) -> None:
        tried.write_text(str(os.getpid()))
        raise OSError("No space left on device")

    monkeypatch.setattr(plugin, "write_reused", failing)
    capsys.readouterr()
    with pytest.raises(SiteBuildError, match="could not build the site"):
        build_site(root, site)
    assert f"{plugin.PLACING_FAILED}: OSError: No space left on device" in capsys.readouterr().err
    assert int(tried.read_text()) != os.getpid()  # tried in the forked process
    # The site being served is the one before: nothing was swapped in.
    assert {p.relative_to(site) for p in site.rglob("*")} == before
    assert "Renamed" not in (site / "models/test-model/index.html").read_text()
