"""``omh validate --base``: published versions do not change in place (a real git repository)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import minimal_records, write_catalogue

from omh.cli import main

ARTEFACT = {"path": "weights.bin", "sha256": "0" * 64, "size_bytes": 4,
            "media_type": "application/octet-stream", "role": "weights"}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _artefact_file(root: Path, content: bytes) -> dict[str, Any]:
    import hashlib

    (root / "models/test-model/weights.bin").write_bytes(content)
    return dict(ARTEFACT, sha256=hashlib.sha256(content).hexdigest(), size_bytes=len(content))


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    root = write_catalogue(tmp_path, dict(minimal_records()))
    model = minimal_records()["models/test-model"]
    model["artefacts"] = [_artefact_file(root, b"v1..")]
    write_catalogue(root, {"models/test-model": model})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return root


def _model(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / "models/test-model/record.yaml").read_text())
    return data


def test_unchanged_repository_passes(repository: Path) -> None:
    assert main(["validate", "--root", str(repository), "--base", "main"]) == 0


def test_changed_checksum_of_published_artefact_fails(
        repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _model(repository)
    model["artefacts"] = [_artefact_file(repository, b"v2!!")]
    write_catalogue(repository, {"models/test-model": model})
    assert main(["validate", "--root", str(repository), "--base", "main"]) == 1
    out = capsys.readouterr().out
    assert "models/test-model/record.yaml" in out
    assert "sha256 changed" in out and "[immutable-artefact]" in out
    assert "parent_version: models/test-model" in out


def test_new_version_with_parent_version_passes(repository: Path) -> None:
    model = _model(repository)
    model.update(version="2.0.0", parent_version="models/test-model", created_at="2025-03-01")
    write_catalogue(repository, {"models/test-model-2": model})
    (repository / "models/test-model-2/weights.bin").write_bytes(b"v2!!")
    model["artefacts"] = [_artefact_file(repository, b"v1..")]
    (repository / "models/test-model-2/weights.bin").write_bytes(b"v1..")
    write_catalogue(repository, {"models/test-model-2": model})
    assert main(["validate", "--root", str(repository), "--base", "main"]) == 0


def test_removed_record_fails(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    shutil.rmtree(repository / "models/test-model")
    assert main(["validate", "--root", str(repository), "--base", "main"]) == 1
    out = capsys.readouterr().out
    assert "record models/test-model exists on main but was removed" in out
    assert "status: deleted" in out


def test_marking_deleted_may_drop_files(repository: Path) -> None:
    model = _model(repository)
    model.update(status="deleted", status_reason="Withdrawn at the authors' request.")
    del model["artefacts"]
    write_catalogue(repository, {"models/test-model": model})
    assert main(["validate", "--root", str(repository), "--base", "main"]) == 0


def test_unknown_base_is_a_usage_error(repository: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--root", str(repository), "--base", "no-such-branch"]) == 2
    assert "--base no-such-branch" in capsys.readouterr().err
