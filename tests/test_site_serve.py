"""``omh serve``: the site is served on a local port and rebuilt when a record changes."""

from __future__ import annotations

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
    server = subprocess.Popen(
        [sys.executable, "-m", "omh.cli", "serve", "--root", str(root),
         "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
