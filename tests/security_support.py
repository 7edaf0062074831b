"""Helpers of the security tests (this module holds no tests): the built site served as GitHub
Pages serves it, a canary server that records every request, a server that trickles its answer
a byte at a time, and a headless Chromium that records alerts, console messages and
Content-Security-Policy violations on every page."""

from __future__ import annotations

import contextlib
import http.server
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chromium import chromium, require_chromium
from test_site_support import running, serve_folder

from catalogue.model.settings import DEFAULT_CACHE_DIR

# What GitHub Pages sends for these suffixes (its table is the mime-db one): every XML type is
# a document a browser renders, and an XHTML <script> in it runs on the site's origin.
GITHUB_PAGES_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".xhtml": "application/xhtml+xml",
    ".xml": "application/xml", ".xsd": "application/xml", ".xsl": "application/xml",
    ".rng": "application/xml", ".dtd": "application/xml-dtd", ".rss": "application/rss+xml",
    ".atom": "application/atom+xml", ".kml": "application/vnd.google-earth.kml+xml",
    ".xul": "application/vnd.mozilla.xul+xml", ".mml": "text/mathml",
    ".owl": "application/rdf+xml", ".rdf": "application/rdf+xml", ".svg": "image/svg+xml",
    ".js": "application/javascript", ".mjs": "application/javascript", ".css": "text/css",
    ".json": "application/json", ".jsonld": "application/ld+json", ".csv": "text/csv",
    ".txt": "text/plain", ".md": "text/markdown", ".wasm": "application/wasm",
    ".png": "image/png", ".onnx": "application/octet-stream", ".npz": "application/octet-stream",
    "": "application/octet-stream",
}
XHTML_ALERT = ('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
               '<script>alert("xml-script")</script></body></html>\n')
"""What a hostile artefact holds: valid XML whose XHTML script runs when a browser renders it."""

WATCH = """
window.__sec = {alerts: [], violations: []};
document.addEventListener("securitypolicyviolation", function (e) {
  window.__sec.violations.push(e.violatedDirective + " " + e.blockedURI);
});
window.alert = window.confirm = window.prompt = function (m) {
  window.__sec.alerts.push(String(m));
};
"""
"""Runs before a page's own scripts: records alerts (payloads call alert) and CSP violations."""


def serve_like_github_pages(folder: Path) -> contextlib.AbstractContextManager[str]:
    """Serve ``folder`` on 127.0.0.1 with GitHub Pages' media types; yields the base URL."""
    return serve_folder(folder, GITHUB_PAGES_TYPES)


class Canary:
    """A server whose every request is a finding: a page that reaches it ran or loaded
    something a payload put there."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.url = ""


@contextlib.contextmanager
def canary() -> Iterator[Canary]:
    seen = Canary()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.requests.append(self.path)
            self.send_response(204)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    with running(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        seen.url = url
        yield seen


@contextlib.contextmanager
def slow_drip(body: bytes, *, headers_too: bool, interval: float = 0.2,
              limit: float = 30.0) -> Iterator[str]:
    """A server on 127.0.0.1 that sends its answer one byte every ``interval`` seconds (the
    status line and headers as well with ``headers_too``), for at most ``limit`` seconds per
    connection; yields the URL of its one file."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    head = (b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\nContent-Type: application/octet-stream\r\n\r\n")

    def answer(conn: socket.socket) -> None:
        started = time.monotonic()
        with conn, contextlib.suppress(OSError):
            conn.settimeout(limit)
            conn.recv(65536)
            if not headers_too:
                conn.sendall(head)
            for byte in (head if headers_too else b"") + body:
                if stop.is_set() or time.monotonic() - started > limit:
                    return
                conn.sendall(bytes([byte]))
                time.sleep(interval)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/model.bin"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@contextlib.contextmanager
def browser(profile: Path) -> Iterator[Any]:
    """Headless Chromium (Debian's) recording alerts and CSP violations on every page."""
    require_chromium()
    with chromium(profile, page_load_timeout=60, on_every_page=WATCH) as driver:
        yield driver


def visit(driver: Any, url: str) -> dict[str, list[str]]:
    """Open ``url`` and return what its page did: ``alerts`` and CSP ``violations``."""
    driver.get(url)
    time.sleep(0.05)  # let load handlers and timers of zero delay run
    found = driver.execute_script("return window.__sec || {alerts: [], violations: []};")
    return {"alerts": list(found.get("alerts", [])),
            "violations": list(found.get("violations", []))}


def tree_state(folder: Path, *skip: Path) -> dict[str, tuple[int, int, str]]:
    """Every file, folder and link under ``folder`` (but those under ``skip``): a file's size and
    modification time, a link's target; what must not change while a site is built (a folder's
    own time changes when a build puts its site in place beside it). A catalogue's cache folder
    (``.omh-cache``, git-ignored) is left out: builds keep their cache there."""
    state: dict[str, tuple[int, int, str]] = {}
    for path in sorted(folder.rglob("*")):
        if any(path == skipped or skipped in path.parents for skipped in skip):
            continue
        if DEFAULT_CACHE_DIR in path.relative_to(folder).parts:
            continue
        if path.is_dir() and not path.is_symlink():
            state[path.relative_to(folder).as_posix()] = (0, 0, "folder")
            continue
        info = path.lstat()
        target = os.readlink(path) if path.is_symlink() else ""
        state[path.relative_to(folder).as_posix()] = (info.st_size, info.st_mtime_ns, target)
    return state
