"""Script in readers' browsers: the built site, served as GitHub Pages serves it, in Chromium.

* A hostile ``site_url`` (or title, description) in ``catalogue.yaml`` is refused by validation,
  and even handed to the generator unchecked it is text in every page (the theme's templates
  escape it) and no inline script may run (the Content-Security-Policy allows the site's script
  files only; it is never built from the scripts a page happens to contain).
* A record file a browser would render as a document (``schema.xsd`` and every other XML type)
  is not published: the allow-list publishes data types only.
* ``omh serve``'s pages carry the policy too, with a nonce for the server's live-reload script.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_records, write_catalogue, write_record
from security_support import XHTML_ALERT, browser, serve_like_github_pages, visit

from catalogue.load.settings_file import load_settings
from catalogue.model.settings import Settings
from catalogue.pipeline import load_catalogue
from site_generator.build import build_site
from site_generator.downloads import is_publishable

pytestmark = pytest.mark.slow

SCRIPT_URL = 'https://x/"><script>alert("site_url")</script>'
HOSTILE_TEXT = '"><script>alert("text")</script><img src=x onerror=alert("img")>'
ACTIVE_SUFFIXES = (".xsd", ".rng", ".rss", ".atom", ".kml", ".xul", ".mml", ".dtd", ".owl",
                   ".xml", ".xsl", ".svg", ".html", ".xhtml", ".js", ".css", ".md", ".wasm")


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with browser(tmp_path_factory.mktemp("chromium-profile")) as found:
        yield found


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if "pagefind" not in p.parts)


def test_validation_refuses_a_site_url_that_is_not_a_plain_address(tmp_path: Path) -> None:
    for bad in (SCRIPT_URL, "https://x/a b", "https://x/?q=1", "javascript:alert(1)",
                "https://x/\n", "https://x/'onload='x", "http://x/"):
        (tmp_path / "catalogue.yaml").write_text(f"title: T\nsite_url: {json.dumps(bad)}\n",
                                                 encoding="utf-8")
        settings, findings = load_settings(tmp_path)
        assert settings.site_url is None, bad
        assert findings and {f.field for f in findings} == {"site_url"}, (bad, findings)
    (tmp_path / "catalogue.yaml").write_text("title: T\nsite_url: https://hub.example/cat/\n")
    assert load_settings(tmp_path)[0].site_url == "https://hub.example/cat/"


def test_a_hostile_site_url_runs_no_script_on_any_page(tmp_path: Path, driver: Any) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    (root / "catalogue.yaml").write_text(
        f"title: Hub\nsite_url: '{SCRIPT_URL}'\n", encoding="utf-8")
    site = build_site(root, tmp_path / "site", force=True).site_dir
    assert "alert(" not in (site / "404.html").read_text(encoding="utf-8")
    with serve_like_github_pages(site) as url:
        for page in _pages(site):
            assert visit(driver, url + page)["alerts"] == [], page


def test_unchecked_settings_are_text_in_every_page(tmp_path: Path, driver: Any) -> None:
    """Even past validation, the engine escapes what it prints and the policy blocks inline
    scripts: the two defences hold on their own."""
    root = write_catalogue(tmp_path / "hub", minimal_records())
    catalogue, _ = load_catalogue(root, check=False)
    hostile = Settings(title=HOSTILE_TEXT, description=HOSTILE_TEXT, site_url=SCRIPT_URL)
    catalogue = dataclasses.replace(catalogue, settings=hostile)
    site = build_site(root, tmp_path / "site", catalogue=catalogue).site_dir
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(" not in home and "<img src=x" not in home
    assert "&lt;script&gt;alert(" in home or "&#34;&gt;&lt;script" in home
    with serve_like_github_pages(site) as url:
        for page in _pages(site):
            seen = visit(driver, url + page)
            assert seen["alerts"] == [], page


def test_the_policy_comes_from_the_generator_not_from_the_page(tmp_path: Path) -> None:
    """No page carries an inline script the browser would run, and every policy allows the
    site's own files only: there is nothing to hash, so an injected script is never allowed."""
    root = write_catalogue(tmp_path / "hub", minimal_records())
    site = build_site(root, tmp_path / "site").site_dir
    for page in _pages(site):
        text = (site / page).read_text(encoding="utf-8")
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text)
        assert policy is not None, page
        sources = policy.group(1).split("script-src ")[1].split(";")[0].split()
        assert sources in (["'self'"], ["'self'", "'wasm-unsafe-eval'"]), (page, sources)
        for attributes in re.findall(r"<script\b([^>]*)>", text):
            assert "src=" in attributes or re.search(
                r'type="application/(ld\+)?json"', attributes), (page, attributes)


def test_the_theme_still_works_with_its_scripts_as_files(tmp_path: Path, driver: Any) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    site = build_site(root, tmp_path / "site").site_dir
    with serve_like_github_pages(site) as url:
        seen = visit(driver, url)
        assert seen == {"alerts": [], "violations": []}
        assert driver.execute_script(
            "return typeof __md_get === 'function' && __md_scope instanceof URL "
            "&& document.body.getAttribute('data-md-color-scheme') !== null")


@pytest.mark.parametrize("suffix", ACTIVE_SUFFIXES)
def test_only_data_types_are_publishable(suffix: str) -> None:
    assert not is_publishable(f"schema{suffix}")
    assert not is_publishable(f"sub/schema{suffix}")
    assert not is_publishable(f"schema{suffix.upper()}")


def test_an_artefact_a_browser_would_render_is_not_published(tmp_path: Path,
                                                             driver: Any) -> None:
    import hashlib

    records = minimal_records()
    files = {f"schema{suffix}": XHTML_ALERT.encode() for suffix in ACTIVE_SUFFIXES}
    files["labels.json"] = b'["a", "b"]\n'
    records["models/test-model"]["artefacts"] = [
        {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data),
         "media_type": "application/octet-stream", "role": "other"}
        for name, data in files.items()]
    root = write_catalogue(tmp_path / "hub", records)
    for name, data in files.items():
        (root / "models" / "test-model" / name).write_bytes(data)
    site = build_site(root, tmp_path / "site", force=True).site_dir
    with serve_like_github_pages(site) as url:
        ran = {suffix: visit(driver, f"{url}models/test-model/schema{suffix}")["alerts"]
               for suffix in ACTIVE_SUFFIXES}
    assert {suffix: alerts for suffix, alerts in ran.items() if alerts} == {}
    folder = site / "models" / "test-model"
    assert (folder / "labels.json").is_file()
    published = sorted(p.name for p in folder.iterdir() if p.name.startswith("schema"))
    assert published == []
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="schema.xsd"' not in page


def test_a_card_cannot_publish_an_xml_attachment(tmp_path: Path) -> None:
    records = minimal_records()
    root = write_catalogue(tmp_path / "hub", records)
    write_record(root, "models/test-model", records["models/test-model"],
                 card="# Test\n\n[schema](schema.xsd) [feed](feed.rss) [data](table.csv)\n")
    for name in ("schema.xsd", "feed.rss"):
        (root / "models" / "test-model" / name).write_text(XHTML_ALERT, encoding="utf-8")
    (root / "models" / "test-model" / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    site = build_site(root, tmp_path / "site", force=True).site_dir
    folder = site / "models" / "test-model"
    assert (folder / "table.csv").is_file()
    assert not (folder / "schema.xsd").exists() and not (folder / "feed.rss").exists()


def test_serve_pages_carry_the_policy_and_live_reload_still_runs(tmp_path: Path,
                                                                 driver: Any) -> None:
    import socket
    import subprocess
    import sys

    root = write_catalogue(tmp_path / "hub", minimal_records())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "omh.cli", "serve", "--root", str(root), "--dev-addr",
         f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        page = ""
        for _ in range(120):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        policy = re.search(r'Content-Security-Policy" content="([^"]*)"', page)
        assert policy is not None, page[:300]
        nonce = re.search(r"'nonce-([^']+)'", policy.group(1))
        assert nonce is not None
        assert f'<script nonce="{nonce.group(1)}">' in page  # the live-reload script
        seen = visit(driver, url)
        assert seen["violations"] == [] and seen["alerts"] == []
    finally:
        process.terminate()
        process.wait(timeout=20)
