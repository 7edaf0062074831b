"""``omh serve``: the site is served on a local port and rebuilt when a record changes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import minimal_records, write_catalogue
from mkdocs.livereload import LiveReloadServer
from watchdog.observers.polling import PollingObserver

from site_generator import serve_watch
from site_generator.serve_watch import watch_natively

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, accept: Callable[[str], bool], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = response.read().decode("utf-8")
                if accept(last):
                    return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not show the expected page in {seconds} s")


def test_serve_previews_the_site_and_reloads_a_changed_record(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    port = _free_port()
    temporary = tmp_path / "tmp"  # (where the server's work folders go)
    temporary.mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "omh.cli", "serve", "--root", str(root),
         "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(temporary)})
    try:
        page = f"http://127.0.0.1:{port}/models/test-model/"
        _wait_for(page, lambda html: "<h1" in html and "Test Model" in html)
        record = root / "models" / "test-model" / "record.yaml"
        data = yaml.safe_load(record.read_text())
        data["name"] = "Renamed Model"
        record.write_text(yaml.safe_dump(data, sort_keys=False))
        _wait_for(page, lambda html: "Renamed Model" in html)
        home = _wait_for(f"http://127.0.0.1:{port}/", lambda html: "Renamed Model" in html)
        assert "livereload" in home
    finally:
        server.terminate()
        server.wait(timeout=20)
    # Stopped as a process manager stops it, it leaves no work folder behind.
    assert sorted(p.name for p in temporary.iterdir()) == []


def _server(tmp_path: Path) -> LiveReloadServer:
    """MkDocs' live-reload server as ``omh serve`` makes it (not started), watching its
    configuration already."""
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=_free_port(),
                              root=str(tmp_path / "site"))
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n", encoding="utf-8")
    server.watch(str(config))
    return server


def test_an_edit_reaches_serve_as_a_file_event(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    server = _server(tmp_path)
    watched = [root / "models", root / "datasets"]
    assert watch_natively(server, watched)
    assert not isinstance(server.observer, PollingObserver)
    assert set(server._watched_paths) == {str(tmp_path / "mkdocs.yml"), *map(str, watched)}
    server.observer.start()
    try:
        record = root / "models" / "test-model" / "record.yaml"
        record.write_text(record.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        with server._rebuild_cond:
            assert server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=10)
    finally:
        server.observer.stop()
        server.observer.join()


def test_a_catalogue_with_more_folders_than_inotify_allows_is_polled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    limit = tmp_path / "max_user_watches"
    limit.write_text("3\n", encoding="ascii")
    monkeypatch.setattr(serve_watch, "INOTIFY_WATCHES", limit)
    server = _server(tmp_path)
    assert not watch_natively(server, [root / "models"])
    assert isinstance(server.observer, PollingObserver)
    assert str(root / "models") in server._watched_paths
