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
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NamedTuple

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


class Run(NamedTuple):
    """A Pagefind run begun on a work folder (``start_index``)."""

    process: subprocess.Popen[bytes]
    output: Path
    log: Path
    started: float


def start_index(work: Path) -> Run:
    """Begin indexing the documents written in ``work`` (``document_file``): Pagefind runs
    while the build goes on, its messages in a file (never a pipe nobody reads)."""
    output = work / ".bundle"
    log_file = work / ".pagefind.log"
    command = [str(pagefind_binary()), "--site", str(work), "--output-path", str(output),
               "--force-language", LANGUAGE, "--silent"]
    try:
        with log_file.open("wb") as said:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=said,
                                       stderr=subprocess.STDOUT, cwd=work)
    except OSError as exc:
        raise SearchIndexError(f"Pagefind could not index the site: {exc}") from exc
    return Run(process, output, log_file, time.monotonic())


def stop_index(run: Run) -> None:
    """End a run the build no longer waits for (it failed)."""
    if run.process.poll() is None:
        run.process.kill()
        run.process.wait()


def finish_index(run: Run, bundle: Path) -> None:
    """Wait for ``run`` (within ``TIMEOUT`` of its start) and put its index at ``bundle``,
    which is replaced only once the new index is complete."""
    try:
        returncode = run.process.wait(
            timeout=max(0.0, TIMEOUT - (time.monotonic() - run.started)))
    except subprocess.TimeoutExpired as exc:
        stop_index(run)
        raise SearchIndexError(f"Pagefind could not index the site: {exc}") from exc
    output = run.output
    if returncode != 0 or not (output / "pagefind.js").is_file():
        said = run.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        raise SearchIndexError("Pagefind could not index the site (exit status "
                               f"{returncode}): " + " ".join(said[-5:]))
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
