"""Downloads against hostile servers on 127.0.0.1: bounded in wall time however slowly a server
trickles its headers or body, redirects anywhere but https refused as errors, Hub paths checked
after percent-decoding, and no download written through a symlinked cache."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import minimal_records, write_catalogue
from parity_helpers import COMMIT, artefact_server, sha256
from security_support import slow_drip

from catalogue.check.artefacts import check_record_artefacts
from catalogue.load.artefacts import Resolver
from catalogue.load.settings_file import load_settings
from catalogue.load.store import RecordStore
from catalogue.model.findings import Severity
from catalogue.model.pointers import ArtefactError, ArtefactUnavailable, Pointer, parse_pointer

BODY = b"0123456789" * 20


def _pointer(url: str, body: bytes = BODY) -> Pointer:
    pointer = parse_pointer({"url": url, "sha256": sha256(body), "size_bytes": len(body),
                             "media_type": "application/octet-stream", "role": "weights"},
                            ("artefacts", 0))
    assert pointer is not None
    return pointer


# -- 5: wall time ---------------------------------------------------------------------------


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_trickling_server_cannot_hold_a_download(tmp_path: Path, headers_too: bool) -> None:
    """One byte every 0.2 s keeps every socket read under its timeout; the download as a whole
    still stops at its limit."""
    with slow_drip(BODY, headers_too=headers_too) as url:
        resolver = Resolver(tmp_path / "cache", offline=False, timeout=2)
        start = time.monotonic()
        with pytest.raises(ArtefactUnavailable, match=r"longer than 2 s"):
            resolver.resolve(tmp_path, _pointer(url))
        assert time.monotonic() - start < 6
    assert not list((tmp_path / "cache").rglob("*.part"))
    assert not (tmp_path / "cache" / "sha256").exists()


def test_a_hub_download_is_bounded_too(tmp_path: Path) -> None:
    """huggingface_hub cannot be interrupted: the download runs in a child process that is
    killed when its time is up."""
    with slow_drip(BODY, headers_too=True) as url:
        endpoint = url.rsplit("/", 1)[0]
        resolver = Resolver(tmp_path / "cache", offline=False, timeout=1, hf_endpoint=endpoint)
        start = time.monotonic()
        with pytest.raises(ArtefactUnavailable, match="could not be fetched"):
            resolver.resolve(tmp_path, _pointer(f"hf://owner/repo@{COMMIT}/model.bin"))
        assert time.monotonic() - start < 1 + 5 + 3


def test_the_limit_comes_from_catalogue_yaml(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMH_CACHE_DIR", raising=False)
    (tmp_path / "catalogue.yaml").write_text("title: T\nartefacts:\n  timeout_seconds: 1.5\n")
    settings, findings = load_settings(tmp_path)
    assert findings == []
    resolver = Resolver.from_settings(tmp_path, settings.artefacts, offline=False)
    with slow_drip(BODY, headers_too=True) as url:
        start = time.monotonic()
        with pytest.raises(ArtefactUnavailable):
            resolver.resolve(tmp_path, _pointer(url))
        assert time.monotonic() - start < 5


def test_a_fast_server_still_downloads(tmp_path: Path) -> None:
    with artefact_server() as server:
        url = server.add("/model.bin", BODY)
        path = Resolver(tmp_path / "cache", offline=False, timeout=5).resolve(
            tmp_path, _pointer(url))
        assert path.read_bytes() == BODY


# -- 19: redirects --------------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "file:///etc/passwd", "data:application/octet-stream;base64,AAAA",
    "javascript:alert(1)", "ftp://127.0.0.1/model.bin", "http://example.org/model.bin",
])
def test_a_redirect_away_from_https_is_an_error(tmp_path: Path, target: str) -> None:
    with artefact_server() as server:
        url = server.add("/moved.bin", b"", status=302, headers={"Location": target})
        with pytest.raises(ArtefactError, match="only https redirects") as refused:
            Resolver(tmp_path / "cache", offline=False).resolve(tmp_path, _pointer(url))
        assert not isinstance(refused.value, ArtefactUnavailable)


def test_the_redirect_error_fails_the_check(tmp_path: Path) -> None:
    with artefact_server() as server:
        url = server.add("/moved.bin", b"", status=302, headers={"Location": "file:///etc/x"})
        records = minimal_records()
        records["models/test-model"]["artefacts"] = [
            {"url": url, "sha256": sha256(BODY), "size_bytes": len(BODY),
             "media_type": "application/octet-stream", "role": "weights"}]
        root = write_catalogue(tmp_path / "hub", records)
        record = RecordStore(root).get("models/test-model")
        assert record is not None
        findings = list(check_record_artefacts(
            record, Resolver(tmp_path / "cache", offline=False)))
        assert [f.severity for f in findings] == [Severity.ERROR], findings


def test_a_loopback_mirror_may_redirect_within_loopback(tmp_path: Path) -> None:
    with artefact_server() as server:
        final = server.add("/model.bin", BODY)
        url = server.add("/moved.bin", b"", status=302, headers={"Location": final})
        path = Resolver(tmp_path / "cache", offline=False).resolve(tmp_path, _pointer(url))
        assert path.read_bytes() == BODY


# -- 15: Hub paths are checked once decoded -------------------------------------------------


@pytest.mark.parametrize("url", [
    f"hf://owner/repo@{COMMIT}/%2e%2e/%2e%2e/other/repo/model.onnx",
    f"hf://owner/repo@{COMMIT}/..%2f..%2fother/model.onnx",
    f"hf://owner/repo@{COMMIT}/a/%2E%2E/%2E%2E/x",
    f"hf://owner/repo@{COMMIT}/a%5c..%5cb",
    "hf://owner/repo@..%2f..%2fmain/model.onnx",
    f"hf://owner/repo@{COMMIT}/a%00b",
    f"hf://owner/repo@{COMMIT}/a//b",
    "https://host.example/files/%2e%2e/%2e%2e/etc/passwd",
])
def test_percent_encoded_traversal_is_refused(url: str) -> None:
    with pytest.raises(ArtefactError, match="percent-decoded"):
        _pointer(url)


def test_a_plain_hub_path_still_parses() -> None:
    pointer = _pointer(f"hf://owner/repo@{COMMIT}/onnx/model%20v2.onnx")
    assert pointer.hf is not None and pointer.hf.filename == "onnx/model v2.onnx"


# -- no download through a committed symlink ------------------------------------------------


def test_a_symlinked_cache_inside_the_catalogue_is_not_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMH_CACHE_DIR", raising=False)
    root = write_catalogue(tmp_path / "hub", minimal_records())
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / ".omh-cache")
    settings, _ = load_settings(root)
    resolver = Resolver.from_settings(root, settings.artefacts, offline=False)
    with artefact_server() as server:
        url = server.add("/model.bin", BODY)
        with pytest.raises(ArtefactUnavailable, match="symlink"):
            resolver.resolve(root, _pointer(url))
    assert list(outside.iterdir()) == []
