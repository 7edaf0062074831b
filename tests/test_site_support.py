"""Helpers shared by the site tests (this module holds no tests): build a site once per test
session, serve a folder on 127.0.0.1, and read the links and ids of built pages."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from site_generator.build import build_site

REPO = Path(__file__).resolve().parent.parent
URL_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src",
                  "source": "src", "audio": "src", "video": "src", "embed": "src",
                  "object": "data", "track": "src"}


def mkdocs_config(root: Path, work: Path, site: Path, nonce: str | None = None,
                  **plugin_options: object) -> Path:
    """The MkDocs configuration ``omh build`` and ``omh serve`` write for ``root``, in
    ``work``, building into ``site``: for tests that drive MkDocs themselves."""
    from catalogue.pipeline import load_settings, load_theme
    from site_generator.generate import navigation
    from site_generator.mkdocs_config import write_config

    settings, _ = load_settings(root)
    theme, _ = load_theme(root)
    return write_config(work, root, site, settings, navigation(), theme=theme,
                        live_reload_nonce=nonce, plugin_options=plugin_options)


@functools.cache
def build_once(root: Path, out: Path, force: bool = False) -> Path:
    """Build the site of ``root`` into ``out`` the first time it is asked for."""
    build_site(root, out, force=force)
    return out


def example_site(basetemp: Path) -> Path:
    """The site of the repository's example catalogue, built once per test session."""
    return build_once(REPO, basetemp / "example-site")


@dataclass
class PageLinks:
    urls: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    """(tag, url, attributes) of every element that refers to a URL."""
    ids: set[str] = field(default_factory=set)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)
    """(attributes, text) of every ``<script>``."""
    handlers: list[tuple[str, str]] = field(default_factory=list)
    """(tag, attribute) of every ``on...`` event-handler attribute."""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = PageLinks()
        self._script: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.result.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.result.ids.add(values["name"])
        self.result.handlers += [(tag, k) for k in values if k.startswith("on")]
        attribute = URL_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute):
            self.result.urls.append((tag, values[attribute], values))
        if tag == "script":
            self._script, self._text = values, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.result.scripts.append((self._script, "".join(self._text)))
            self._script = None


@functools.cache
def parse_page(path: Path) -> PageLinks:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.result


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def site_files(site: Path) -> dict[str, bytes]:
    files = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder) / name
            files[path.relative_to(site).as_posix()] = path.read_bytes()
    return files


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_folder(folder: Path, media_types: dict[str, str] | None = None) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port), with ``media_types`` by file extension when
    given (Python's guesses otherwise); yields the base URL."""
    handler_class = _QuietHandler
    if media_types is not None:
        handler_class = type("_TypedHandler", (_QuietHandler,), {"extensions_map": media_types})
    handler = functools.partial(handler_class, directory=str(folder))
    with running(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)) as url:
        yield url


@contextlib.contextmanager
def running(server: http.server.HTTPServer) -> Iterator[str]:
    """Serve with ``server`` in a thread until the block ends; yields its base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
