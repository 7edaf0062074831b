"""The one git wrapper: bounded in time, and every failure says which command and why."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from catalogue.load.git import GitError, git, git_paths

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _repository(root: Path) -> Path:
    (root / "README.md").write_text("a catalogue\n")
    for args in (["init", "-q", "-b", "main"], ["add", "."],
                 ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def test_paths_survive_any_file_name(tmp_path: Path) -> None:
    odd = "models/a b\nc/record.yaml"
    (tmp_path / odd).parent.mkdir(parents=True)
    (tmp_path / odd).write_text("x\n")
    _repository(tmp_path)
    assert git_paths(tmp_path, "ls-files", "-z") == ["README.md", odd]
    assert git(tmp_path, "cat-file", "--batch", stdin=b"HEAD:README.md\n").endswith(
        b"\na catalogue\n\n")


def test_a_failure_names_the_command_and_what_git_said(tmp_path: Path) -> None:
    _repository(tmp_path)
    with pytest.raises(GitError, match=r"'git diff --name-only no-such-rev' failed in .*: "
                                       r"fatal: .*no-such-rev"):
        git(tmp_path, "diff", "--name-only", "no-such-rev")
    with pytest.raises(GitError, match="could not run in"):
        git(tmp_path / "missing", "status")


def test_a_git_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "bin" / "git"
    slow.parent.mkdir()
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{slow.parent}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(GitError, match=r"'git status' did not finish within 0.5 s"):
        git(tmp_path, "status", timeout=0.5)


def test_no_git_at_all_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GitError, match="git is not installed"):
        git(tmp_path, "status")
