"""``omh check-artefacts``: local files hashed, remote files downloaded again with --fetch, so
that link rot and files replaced in place are caught (a real HTTP server on loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import minimal_records, write_catalogue
from parity_helpers import artefact_server, sha256

from omh.cli import main

LOCAL = b"labels of the test model\n"
REMOTE = b"weights of a model that is published elsewhere\n"


def _entry(content: bytes, **where: str) -> dict[str, object]:
    return {"sha256": sha256(content), "size_bytes": len(content),
            "media_type": "application/octet-stream", "role": "weights", **where}


def _catalogue(root: Path, url: str) -> Path:
    records = dict(minimal_records())
    records["models/test-model"] = dict(records["models/test-model"], artefacts=[
        _entry(LOCAL, path="labels.txt"), _entry(REMOTE, url=url)])
    write_catalogue(root, records)
    (root / "models/test-model/labels.txt").write_bytes(LOCAL)
    return root


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMH_CACHE_DIR", str(tmp_path / "cache"))


def test_offline_checks_local_files_and_says_what_it_did_not_fetch(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _catalogue(tmp_path / "cat", "https://data.example/weights.bin")
    assert main(["check-artefacts", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 artefact(s) verified; 1 remote not in the cache (use --fetch)" in out
    (root / "models/test-model/labels.txt").write_bytes(b"changed in place\n")
    assert main(["check-artefacts", "--root", str(root), "models/test-model"]) == 1
    out = capsys.readouterr().out
    assert "models/test-model/record.yaml:" in out and "artefacts[0]" in out
    assert "sha256 of the file is" in out or "size_bytes says" in out


def test_fetch_downloads_again_and_catches_replaced_and_missing_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with artefact_server() as server:
        url = server.add("/weights.bin", REMOTE)
        root = _catalogue(tmp_path / "cat", url)
        assert main(["check-artefacts", "--fetch", "--root", str(root)]) == 0
        assert "2 of 2 artefact(s) verified" in capsys.readouterr().out
        # the cache is not trusted: a second run downloads again
        server.add("/weights.bin", b"silently replaced by other bytes!!!!!!!!!!!!!!!\n")
        assert main(["check-artefacts", "--fetch", "--root", str(root),
                     "--format", "markdown"]) == 1
        report = capsys.readouterr().out
        assert [m for m, _ in server.requests].count("GET") == 2
        assert report.startswith("2 artefact(s) checked (downloaded again): 1 verified, "
                                 "1 failed")
        assert f"| `models/test-model` | `{url}` | failed |" in report
        del server.files["/weights.bin"]
        assert main(["check-artefacts", "--fetch", "--root", str(root), "--format",
                     "github"]) == 1
        out = capsys.readouterr().out
        assert out.startswith("::error file=") and "404" in out


def test_unreachable_is_a_warning_unless_strict(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with artefact_server() as server:
        url = server.url + "/weights.bin"
    root = _catalogue(tmp_path / "cat", url)  # the server is gone: nothing listens there
    assert main(["check-artefacts", "--fetch", "--root", str(root)]) == 0
    assert "warning" in capsys.readouterr().out
    assert main(["check-artefacts", "--fetch", "--strict", "--root", str(root)]) == 1
    capsys.readouterr()
    assert main(["check-artefacts", "--root", str(root), "models/nope"]) == 2
    assert "no record 'models/nope'" in capsys.readouterr().err
