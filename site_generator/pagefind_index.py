"""Run Pagefind over index documents: a search index, split into chunks the browser fetches on
demand, and the script and WebAssembly that read it, written as one bundle into the site (a
shard of the search index, ``search_shards``) and served from it.

Pagefind's binary comes with its PyPI wheel (``pagefind[extended]``). It is given the index
documents (``search.indexed_page``), each written in a work folder at its page's path, so
that a result's URL is its page's; it never parses the published pages, whose header,
navigation and tables would only slow it down and add noise. Pagefind's ready-made user
interfaces are removed (the search page has its own script, ``theme/assets/omh``), and
``pagefind_stable`` puts the index in a canonical order so that builds stay byte-identical.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from site_generator.pagefind_stable import NotCanonical, make_stable

log = logging.getLogger("mkdocs.plugins.omh")
UNUSED_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
    "wasm.unknown.pagefind",  # every document is indexed as English: wasm.en.pagefind is used
)
LANGUAGE = "en"
"""Every document is indexed as English (the theme's language), whatever a card is written in:
one index, and the same one on every build."""
TIMEOUT = 3600
"""Seconds one Pagefind run may take."""


class SearchIndexError(Exception):
    """Pagefind is missing or failed; the message says what to do."""


def pagefind_binary() -> Path:
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchIndexError("Pagefind is not installed: reinstall the project with "
                               "`pip install -e .` (it depends on pagefind[extended])") from exc
    binary = get_executable()
    if binary is None or not binary.is_file():
        raise SearchIndexError("Pagefind's binary was not found: reinstall it with "
                               "`pip install --force-reinstall 'pagefind[extended]'`")
    return binary


def pagefind_version() -> str:
    """The version of the Pagefind wheel (its binary, script and WebAssembly)."""
    try:
        return version("pagefind")
    except PackageNotFoundError:
        return "-"


def document_file(folder: Path, path: str) -> Path:
    """Where the index document of the page at ``path`` is written under ``folder``."""
    return folder / path / "index.html"


def index_documents(work: Path, bundle: Path) -> None:
    """Index the documents written in ``work`` (``document_file``) into the folder ``bundle``,
    which is replaced only once the new index is complete."""
    output = work / ".bundle"
    command = [str(pagefind_binary()), "--site", str(work), "--output-path", str(output),
               "--force-language", LANGUAGE, "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False, cwd=work)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"Pagefind could not index the site: {exc}") from exc
    if done.returncode != 0 or not (output / "pagefind.js").is_file():
        said = (done.stderr or done.stdout).strip().splitlines()
        raise SearchIndexError("Pagefind could not index the site (exit status "
                               f"{done.returncode}): " + " ".join(said[-5:]))
    for name in UNUSED_FILES:
        (output / name).unlink(missing_ok=True)
    try:
        make_stable(output)
    except (NotCanonical, OSError, ValueError, KeyError) as exc:
        log.warning("the search index works but two builds may differ: %s", exc)
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(output, bundle)
