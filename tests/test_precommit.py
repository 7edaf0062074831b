"""pre-commit: the hooks this project offers other catalogues are a valid manifest, they work in
another repository of records, and the repository's own hooks pass offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import minimal_records, write_catalogue

REPOSITORY = Path(__file__).resolve().parents[1]


def _pre_commit() -> str:
    found = shutil.which("pre-commit") or shutil.which(
        "pre-commit", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]' installs it)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return found


def _run(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    # Offline and isolated: pre-commit's own cache in the test's folder, no user config.
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    env.pop("PRE_COMMIT", None)
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_manifest_is_valid(tmp_path: Path) -> None:
    result = _run([_pre_commit(), "validate-manifest", ".pre-commit-hooks.yaml"], REPOSITORY,
                  tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"omh-validate", "omh-parity"}
    assert all(h["entry"].startswith("omh ") for h in hooks)


def _repository_files() -> list[str]:
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], cwd=REPOSITORY, capture_output=True,
                             check=False)
    if listing.returncode != 0:
        pytest.skip(f"git cannot list the repository: {listing.stderr.decode().strip()}")
    return [name for name in listing.stdout.decode().split("\0")
            if name and (REPOSITORY / name).is_file()]


def test_repository_hooks_pass_offline(tmp_path: Path) -> None:
    """``pre-commit run --all-files`` on a copy of the repository (its hooks are local ones
    using the installed tools, so nothing is downloaded)."""
    pre_commit = _pre_commit()
    if not (REPOSITORY / ".git").exists():
        pytest.skip("not a git checkout")
    copy = tmp_path / "repository"
    for name in _repository_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPOSITORY / name, target)
    home = tmp_path / "pre-commit-home"
    for args in (["git", "init", "-q"], ["git", "add", "-A"]):
        assert _run(args, copy, home).returncode == 0
    result = _run([pre_commit, "run", "--all-files", "--show-diff-on-failure"], copy, home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "omh validate" in result.stdout and "Passed" in result.stdout


def test_hooks_guard_another_catalogue(tmp_path: Path) -> None:
    """Another repository of records uses this project's omh-validate hook (run as a local
    hook here: installing it from a repository would need the network)."""
    pre_commit = _pre_commit()
    other = write_catalogue(tmp_path / "other", dict(minimal_records()))
    hook = next(h for h in yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text())
                if h["id"] == "omh-validate")
    config = {"repos": [{"repo": "local", "hooks": [dict(hook, language="system")]}]}
    (other / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    home = tmp_path / "pre-commit-home"
    for args in (["git", "init", "-q"], ["git", "add", "-A"]):
        assert _run(args, other, home).returncode == 0
    assert _run([pre_commit, "run", "--all-files"], other, home).returncode == 0
    model = other / "models/test-model/record.yaml"
    model.write_text(model.read_text().replace("framework: pytorch", "framework: pytorh"))
    result = _run([pre_commit, "run", "--files", str(model.relative_to(other))], other, home)
    assert result.returncode == 1
    assert "models/test-model/record.yaml:" in result.stdout
    assert "'pytorh' is not allowed" in result.stdout
