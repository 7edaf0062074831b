"""Asking git about the catalogue's history: every call bounded in time, every failure a
``GitError`` that says which command failed and what git answered."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

GIT_TIMEOUT_SECONDS = 120.0
"""Long enough for ``cat-file --batch`` over a large catalogue; a hung git (a lock, a prompt for
credentials) fails instead of stalling a pre-commit hook or a CI job."""


class GitError(Exception):
    """git is missing, the folder is not a repository, a revision does not exist, or git did
    not answer in time."""


def git(root: Path, *args: str, stdin: bytes | None = None,
        timeout: float = GIT_TIMEOUT_SECONDS) -> bytes:
    """The output of ``git ARGS`` run in ``root``."""
    command = shlex.join(["git", *args])
    try:
        result = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True,
                                check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise GitError(f"'{command}' did not finish within {timeout:g} s") from None
    except OSError as exc:  # no git, or a root that is missing, not a folder, not readable
        if shutil.which("git") is None:
            raise GitError("git is not installed (or not on PATH); install git to compare "
                           "with a revision") from None
        raise GitError(f"'{command}' could not run in {root}: {exc.strerror or exc}") from None
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip()
        raise GitError(f"'{command}' failed in {root}" + (f": {said}" if said else
                                                           f" (exit status {result.returncode})"))
    return result.stdout


def git_paths(root: Path, *args: str, timeout: float = GIT_TIMEOUT_SECONDS) -> list[str]:
    """The paths of a ``git ... -z`` listing (NUL-separated, so any file name survives)."""
    output = git(root, *args, timeout=timeout).decode(errors="replace")
    return [name for name in output.split("\0") if name]
