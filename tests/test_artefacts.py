"""Artefact pointers: parsing, paths that must stay in the record's folder, local checksums in
``omh validate``, and the resolver's cache against a local HTTP server and a local Hub."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import findings_for, minimal_records, write_catalogue
from parity_helpers import COMMIT, artefact_server, sha256

from catalogue.load.artefacts import Resolver, local_file
from catalogue.load.settings_file import load_settings
from catalogue.model.pointers import ArtefactError, ArtefactUnavailable, Pointer, parse_pointer

DATA = b"weights of a model that is not really a model\n"


def entry(**fields: object) -> dict[str, object]:
    return {"sha256": sha256(DATA), "size_bytes": len(DATA),
            "media_type": "application/octet-stream", "role": "weights", **fields}


def ptr(**fields: object) -> Pointer:
    pointer = parse_pointer(entry(**fields), ("artefacts", 0))
    assert pointer is not None
    return pointer


# -- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "words"), [
    ("../other/model.onnx", "leaves the record's folder"),
    ("weights/../../x.bin", "leaves the record's folder"),
    ("/etc/passwd", "is absolute"),
    ("~/model.onnx", "is absolute"),
    ("C:/Users/bob/model.onnx", "is absolute"),
    ("weights\\model.bin", "backslashes"),
])
def test_paths_that_leave_the_folder_are_refused(path: str, words: str) -> None:
    with pytest.raises(ArtefactError, match=words) as caught:
        ptr(path=path)
    assert caught.value.rule == "artefact-path"


def test_relative_paths_are_normalised() -> None:
    assert ptr(path="./weights/model.bin").name == "weights/model.bin"


@pytest.mark.parametrize(("url", "words"), [
    ("ftp://example.org/model.onnx", "unknown scheme 'ftp:'"),
    ("s3://bucket/model.onnx", "unknown scheme 's3:'"),
    ("http://example.org/model.onnx", "uses http; expected https://"),
    ("https://user:secret@example.org/model.onnx", "user name or password"),
    ("https://example.org/", "names no file"),
    ("hf://openmodels/iris/model.onnx", "has no '@<revision>'"),
    ("hf://openmodels/iris@main", "names no revision or file"),
    ("hf://not a repo@main/model.onnx", "is not a Hub repository id"),
])
def test_unusable_urls_are_refused(url: str, words: str) -> None:
    with pytest.raises(ArtefactError, match=words):
        ptr(url=url)


def test_hub_pointers_name_repository_revision_and_file() -> None:
    pointer = ptr(url=f"hf://openmodels/iris@{COMMIT}/onnx/model.onnx")
    assert pointer.hf is not None
    assert (pointer.hf.repo_id, pointer.hf.revision, pointer.hf.filename) == (
        "openmodels/iris", COMMIT, "onnx/model.onnx")
    assert pointer.hf.pinned_to_commit and pointer.name == "onnx/model.onnx"
    dataset = ptr(url="hf://datasets/openmodels/iris@v1.0/iris.csv")
    assert dataset.hf is not None and dataset.hf.repo_type == "dataset"
    assert not dataset.hf.pinned_to_commit


def test_loopback_http_is_accepted() -> None:
    assert ptr(url="http://127.0.0.1:8000/a/model.onnx").name == "a/model.onnx"


def test_malformed_entries_are_left_to_the_schema_check() -> None:
    assert parse_pointer({"path": "x", "sha256": "nope", "size_bytes": 1}, ("artefacts", 0)) \
        is None
    assert parse_pointer("model.onnx", ("artefacts", 0)) is None


# -- local files ---------------------------------------------------------------------------


def test_symlinks_out_of_the_folder_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "models" / "m"
    folder.mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("s")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "real.txt").write_text("r")
    (folder / "inside.txt").symlink_to(folder / "real.txt")
    with pytest.raises(ArtefactError, match=r"is a symlink to .* outside the record's folder"):
        local_file(folder, "link.txt")
    assert local_file(folder, "inside.txt") == (folder / "real.txt").resolve()
    with pytest.raises(ArtefactError, match="no such file"):
        local_file(folder, "missing.txt")


def _model_with(tmp_path: Path, artefacts: list[dict[str, object]],
                files: dict[str, bytes]) -> Path:
    records = minimal_records()
    records["models/test-model"]["artefacts"] = artefacts
    write_catalogue(tmp_path, dict(records))
    for name, content in files.items():
        (tmp_path / "models/test-model" / name).write_bytes(content)
    return tmp_path


def test_validate_checks_local_size_and_checksum(tmp_path: Path) -> None:
    wrong = entry(path="weights.bin", sha256="0" * 64)
    short = entry(path="other.bin", size_bytes=3)
    root = _model_with(tmp_path, [wrong, short], {"weights.bin": DATA, "other.bin": DATA})
    findings = {f.rule: f for f in findings_for(root)}
    checksum, size = findings["artefact-checksum"], findings["artefact-size"]
    assert checksum.location.path == "models/test-model/record.yaml"
    assert checksum.field == "artefacts[0]" and checksum.location.line > 1
    assert f"sha256 of the file is {sha256(DATA)} but the record says {'0' * 64}" \
        in checksum.message
    assert f"the file is {len(DATA)} bytes but size_bytes says 3" in size.message
    assert size.field == "artefacts[1]"


def test_validate_refuses_paths_out_of_the_folder_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "outside.bin").write_bytes(DATA)
    root = _model_with(tmp_path, [entry(path="../outside.bin"), entry(path="gone.bin")], {})
    messages = {f.rule: f.message for f in findings_for(root)}
    assert "leaves the record's folder" in messages["artefact-path"]
    assert "gone.bin': no such file" in messages["artefact-missing"]


def test_validate_stays_offline_for_remote_artefacts(tmp_path: Path) -> None:
    with artefact_server() as server:
        url = server.add("/model.bin", DATA)
        root = _model_with(tmp_path, [entry(url=url)], {})
        assert findings_for(root) == []
        assert server.requests == []


def test_validate_warns_about_a_hub_branch(tmp_path: Path) -> None:
    root = _model_with(tmp_path, [entry(url="hf://openmodels/iris@main/model.bin")], {})
    (finding,) = findings_for(root)
    assert finding.severity == "warning" and "branch or tag" in finding.message


def test_validate_verifies_remote_artefacts_already_in_the_cache(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("OMH_CACHE_DIR", str(cache))
    pointer_entry = entry(url="https://data.example/model.bin", size_bytes=len(DATA) + 1)
    root = _model_with(tmp_path / "cat", [pointer_entry], {})
    stored = cache / "sha256" / sha256(DATA)[:2] / sha256(DATA)
    stored.parent.mkdir(parents=True)
    stored.write_bytes(DATA)
    (finding,) = findings_for(root)
    assert finding.rule == "artefact-size" and "size_bytes says" in finding.message


# -- the resolver --------------------------------------------------------------------------


def test_fetch_verifies_and_caches_then_works_offline(tmp_path: Path) -> None:
    with artefact_server() as server:
        url = server.add("/models/m/model.bin", DATA)
        online = Resolver(tmp_path / "cache", offline=False)
        path = online.resolve(tmp_path, ptr(url=url))
        assert path == tmp_path / "cache" / "sha256" / sha256(DATA)[:2] / sha256(DATA)
        assert path.read_bytes() == DATA
        assert [m for m, _ in server.requests] == ["GET"]
        offline = Resolver(tmp_path / "cache", offline=True)
        assert offline.resolve(tmp_path, ptr(url=url)) == path
        assert len(server.requests) == 1
        assert not list((tmp_path / "cache" / "tmp").iterdir())


def test_offline_mode_never_connects(tmp_path: Path) -> None:
    with artefact_server() as server:
        url = server.add("/model.bin", DATA)
        with pytest.raises(ArtefactUnavailable, match="not in the cache"):
            Resolver(tmp_path / "cache", offline=True).resolve(tmp_path, ptr(url=url))
        assert server.requests == []


def test_downloaded_bytes_with_the_wrong_checksum_are_not_cached(tmp_path: Path) -> None:
    with artefact_server() as server:
        url = server.add("/model.bin", DATA)
        pointer = ptr(url=url, sha256="f" * 64)
        with pytest.raises(ArtefactError, match=r"downloaded .*sha256 of the file is"):
            Resolver(tmp_path / "cache", offline=False).resolve(tmp_path, pointer)
        assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


def test_downloads_over_the_limit_are_refused_before_connecting(tmp_path: Path) -> None:
    with artefact_server() as server:
        url = server.add("/model.bin", DATA)
        resolver = Resolver(tmp_path / "cache", offline=False, max_download_bytes=10)
        with pytest.raises(ArtefactUnavailable, match="over the download limit of 10 bytes"):
            resolver.resolve(tmp_path, ptr(url=url))
        assert server.requests == []


def test_a_server_sending_more_than_announced_is_cut_off(tmp_path: Path) -> None:
    with artefact_server() as server:
        url = server.add("/big.bin", DATA * 1000, send_length=False)
        with pytest.raises(ArtefactError, match=r"sent more than the .* bytes size_bytes says"):
            Resolver(tmp_path / "cache", offline=False).resolve(tmp_path, ptr(url=url))
        announced = server.add("/announced.bin", DATA + b"!")
        with pytest.raises(ArtefactError, match=r"server announces .* but size_bytes says"):
            Resolver(tmp_path / "cache", offline=False).resolve(tmp_path, ptr(url=announced))


def test_missing_and_unreachable_files(tmp_path: Path) -> None:
    resolver = Resolver(tmp_path / "cache", offline=False, timeout=5)
    with artefact_server() as server:
        with pytest.raises(ArtefactError, match="answers 404") as caught:
            resolver.resolve(tmp_path, ptr(url=f"{server.url}/nothing.bin"))
        assert not isinstance(caught.value, ArtefactUnavailable)
        gone = f"{server.url}/model.bin"
    with pytest.raises(ArtefactUnavailable, match="could not be fetched"):
        resolver.resolve(tmp_path, ptr(url=gone))


def test_redirects_must_stay_https(tmp_path: Path) -> None:
    with artefact_server() as server:
        url = server.add("/moved.bin", b"", status=302,
                         headers={"Location": "http://example.org/model.bin"})
        with pytest.raises(ArtefactError, match="only https redirects are followed"):
            Resolver(tmp_path / "cache", offline=False).resolve(tmp_path, ptr(url=url))


def test_cache_folder_from_settings_and_environment(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMH_CACHE_DIR", raising=False)
    defaults, _ = load_settings(tmp_path)
    assert Resolver.from_settings(tmp_path, defaults.artefacts).cache_dir == \
        tmp_path / ".omh-cache"
    (tmp_path / "catalogue.yaml").write_text(
        "title: T\nartefacts:\n  cache_dir: build/cache\n  max_download_bytes: 5\n"
        "  timeout_seconds: 2\n", encoding="utf-8")
    settings, findings = load_settings(tmp_path)
    assert findings == []
    configured = Resolver.from_settings(tmp_path, settings.artefacts)
    assert configured.cache_dir == tmp_path / "build/cache"
    assert (configured.max_download_bytes, configured.timeout) == (5, 2.0)
    monkeypatch.setenv("OMH_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert Resolver.from_settings(tmp_path, settings.artefacts).cache_dir == \
        tmp_path / "elsewhere"


# -- the Hugging Face Hub, served locally --------------------------------------------------


@pytest.fixture
def hub_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No token, no user cache: only what the test serves."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_TOKEN", "")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


@pytest.mark.usefixtures("hub_env")
def test_hub_files_resolve_through_the_configured_endpoint(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    with artefact_server() as server:
        server.hub_file("openmodels/iris", "onnx/model.bin", DATA)
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        resolver = Resolver(tmp_path / "cache", offline=False)
        path = resolver.resolve(tmp_path, ptr(url=f"hf://openmodels/iris@{COMMIT}/onnx/model.bin"))
        assert path.read_bytes() == DATA
        assert any(p.startswith("/openmodels/iris/resolve/") for _, p in server.requests)
        assert not os.listdir(tmp_path / "cache" / "tmp")


@pytest.mark.usefixtures("hub_env")
def test_hub_checksums_sizes_and_revisions_are_verified(tmp_path: Path) -> None:
    with artefact_server() as server:
        server.hub_file("openmodels/iris", "model.bin", DATA)
        resolver = Resolver(tmp_path / "cache", offline=False, hf_endpoint=server.url)
        with pytest.raises(ArtefactError, match="sha256 of the file is"):
            resolver.resolve(tmp_path, ptr(url=f"hf://openmodels/iris@{COMMIT}/model.bin",
                                           sha256="a" * 64))
        with pytest.raises(ArtefactError, match=r"announces .* but size_bytes says 1"):
            resolver.resolve(tmp_path, ptr(url=f"hf://openmodels/iris@{COMMIT}/model.bin",
                                           size_bytes=1))
        other = "f" * 40
        server.hub_file("openmodels/iris", "pinned.bin", DATA, revisions=(other,))
        with pytest.raises(ArtefactError, match=f"resolves revision {other} to commit"):
            resolver.resolve(tmp_path, ptr(url=f"hf://openmodels/iris@{other}/pinned.bin"))
        with pytest.raises(ArtefactError, match="the Hub has no such file"):
            resolver.resolve(tmp_path, ptr(url=f"hf://openmodels/iris@{COMMIT}/missing.bin"))
        assert not any(p.is_file() for p in (tmp_path / "cache" / "sha256").rglob("*")) \
            if (tmp_path / "cache" / "sha256").exists() else True
