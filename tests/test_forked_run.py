"""A function run in a forked process (``forked.run_forked``): it starts with what this process
holds, what it returns or raises reaches the waiting process, and a build whose early placing
of reused pages, or whose catalogue files, fail says so instead of swapping in a site with
pages missing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import minimal_records, write_catalogue, write_record

from catalogue.load.forked import BACKGROUND_NICENESS, Forked, ForkedFailed, run_forked
from site_generator import generate, plugin
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
    with pytest.raises(ForkedFailed, match="OSError: No space left on device"):
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


def test_what_the_work_returned_reaches_the_waiting_process() -> None:
    held = list(range(100_000))  # more than a pipe holds at once
    forked = run_forked(lambda: (os.getpid(), [n * 2 for n in held]))
    assert forked is not None
    pid, doubled = forked.wait()
    assert pid != os.getpid() and doubled == [n * 2 for n in held]


def test_a_process_no_longer_needed_is_stopped_and_reaped() -> None:
    forked = run_forked(lambda: list(range(1_000_000)))  # blocks on a pipe nobody reads
    assert forked is not None
    pid = forked._pid
    forked.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # no such child left, not even a zombie


_ORPHANS = """
import os, sys, time
from pathlib import Path
from catalogue.load.forked import forked_map, run_forked
folder = Path(sys.argv[1])

def note_and_wait(item):
    (folder / str(os.getpid())).touch()
    time.sleep(120)

forked = run_forked(lambda: note_and_wait(0))
for _ in forked_map(note_and_wait, range(400), 2):
    pass
"""


def _ended(pid: int) -> bool:
    """Whether the process ``pid`` is gone (or a zombie, waiting for its new parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state in {"Z", "X"}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc")
def test_the_processes_a_run_forked_end_when_it_is_killed(tmp_path: Path) -> None:
    """A build killed midway (as a CI job is cancelled) leaves none of its forked processes
    writing on into the folders the next build clears."""
    run = subprocess.Popen([sys.executable, "-c", _ORPHANS, str(tmp_path)])
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    forked = [int(p.name) for p in tmp_path.iterdir()]
    assert len(forked) == 3 and run.pid not in forked  # one run_forked, two workers
    run.kill()
    run.wait(timeout=30)
    deadline = time.monotonic() + 10
    while not all(_ended(pid) for pid in forked) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_ended(pid) for pid in forked)


@pytest.mark.parametrize("part", ["catalogue_files", "kind_lists", "nquads_dump"])
def test_a_build_whose_part_made_in_its_own_process_fails_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        part: str) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    tried = tmp_path / "tried-by"

    def failing(*args: object, **kwargs: object) -> None:
        tried.write_text(str(os.getpid()))
        raise OSError("No space left on device")

    monkeypatch.setattr(generate, part, failing)
    with pytest.raises(SiteBuildError, match="could not build the site"):
        build_site(root, tmp_path / "site", jobs=2)
    said = capsys.readouterr().err
    assert f"{plugin.PART_FAILED}: OSError: No space left on device (at " in said
    assert "test_forked_run.py" in said  # where it was raised
    assert int(tried.read_text()) != os.getpid()
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(("module", "name", "count"), [
    (generate, "_record_pages", 2),  # the site-wide files, the lists and dashboards
    (plugin, "render_pages", 3),  # and the dump, which is placed after MkDocs
    (generate, "catalogue_files", 3),  # in its own process: the dump is still being made
])
def test_a_build_that_fails_here_stops_the_processes_making_its_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: object, name: str,
        count: int) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    started: list[Forked[object]] = []

    def noted(work: Callable[[], object], background: bool = False) -> Forked[object] | None:
        forked = run_forked(work, background)
        if forked is not None:
            started.append(forked)
        return forked

    def failing(*args: object, **kwargs: object) -> None:
        raise ValueError("this part could not be made")

    monkeypatch.setattr(generate, "run_forked", noted)
    monkeypatch.setattr(module, name, failing)
    with pytest.raises((ValueError, SiteBuildError)):
        build_site(root, tmp_path / "site", jobs=2)
    assert len(started) == count
    for forked in started:
        with pytest.raises(ChildProcessError):
            os.waitpid(forked._pid, os.WNOHANG)


def test_background_work_runs_at_a_lower_priority() -> None:
    """Work the run waits for only at its end yields the cores (``background``); other work
    runs at this process's priority."""
    here = os.nice(0)
    background = run_forked(lambda: os.nice(0), background=True)
    foreground = run_forked(lambda: os.nice(0))
    assert background is not None and foreground is not None
    assert background.wait() == min(19, here + BACKGROUND_NICENESS)
    assert foreground.wait() == here
