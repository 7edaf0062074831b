"""The site's search (Pagefind, with facets) next to MkDocs Material's built-in search, on the
same site of a synthetic catalogue, in headless Chromium over loopback.

For each size, writes a synthetic catalogue (``synthetic.generate``) and builds its site twice:
as ``omh build`` does (the search page and its Pagefind index), and a second copy with MkDocs
Material's built-in search plugin on (``build_site(..., material_search=True)``: its
``search_index.json`` and search box; Material loads that index on every page, so the copy
keeps it off the first). It serves each copy on 127.0.0.1 the way a static host does (gzip for
text files, every response ``no-store`` so that each load is cold) and, for each query, opens

* ours: ``search/?q=QUERY`` (the search page with the query in its address), and
* Material's: ``?q=QUERY`` on the home page (Material opens its search with the query),

and prints the bytes the browser fetched (all of them, and those of the search: Pagefind's
files, or ``search_index.json`` and Material's search worker), the time from navigation to the
first result on screen and, for ours, to the filters with their counts (median of ``--runs``),
and the longest task that blocked the page's main thread. A last line filters by two facets,
which Material's search cannot do.

    python benchmarks/bench_search.py [--sizes 1000 10000] [--runs 3]

Needs Debian's chromium and chromium-driver (``/usr/bin/chromium``, ``/usr/bin/chromedriver``).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import mimetypes
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from chromium import CHROMEDRIVER, CHROMIUM, available, chromium
from synthetic import generate

from site_generator.build import build_site

COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml",
                    "application/xml")
FIRST_RESULT = "#omh-search-results li, .md-search-result__item"
# Installed in every page before its own scripts: when the first result appears (or the search
# says it found none), and the longest task that blocked the main thread.
PROBE = """
window.__bench = {first: null, longest: 0};
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) {
    window.__bench.longest = Math.max(window.__bench.longest, e.duration);
  });
}).observe({type: "longtask", buffered: true});
function answered() {
  if (document.querySelector(SELECTOR)) { return true; }
  var text = document.querySelector("#omh-search-status, .md-search-result__meta");
  return !!text && /^No (results|matching)/.test(text.textContent.trim());
}
new MutationObserver(function (changes, observer) {
  if (window.__bench.first === null && answered()) {
    window.__bench.first = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
""".replace("SELECTOR", repr(FIRST_RESULT))
QUERIES = ("wildfire", "galaxy model", "teaching", "wildfire data 123")
"""A topic (a fifteenth of the records), two words, a word of every model card, and one
dataset by its name."""
FACETED = ("teaching", {"framework": "PyTorch", "type": "Segmentation"})


# -- a static host on loopback that counts what it sends ------------------------------------

class Sent(NamedTuple):
    path: str
    size: int
    at: float
    """When the response was written (``time.time()``: the browser's clock too, on loopback)."""


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[Sent] = []

    def add(self, path: str, size: int) -> None:
        with self.lock:
            self.sent.append(Sent(path, size, time.time()))

    def take(self) -> list[Sent]:
        with self.lock:
            sent, self.sent = self.sent, []
        return sent


class StaticHandler(http.server.BaseHTTPRequestHandler):
    """GET of a site's files, gzip for text (as GitHub Pages, Netlify, nginx do), no caching."""

    protocol_version = "HTTP/1.1"
    site: Path
    counter: Counter
    cache: dict[Path, bytes]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        target = (self.site / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.site) or not target.is_file():
            self.send_error(404)
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        body = target.read_bytes()
        encoding = None
        if kind.startswith(COMPRESSED_TYPES) and "gzip" in self.headers.get(
                "Accept-Encoding", ""):
            if target not in self.cache:
                self.cache[target] = gzip.compress(body, compresslevel=6, mtime=0)
            body, encoding = self.cache[target], "gzip"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        self.wfile.write(body)
        self.counter.add(path, len(body))


@contextlib.contextmanager
def serve(site: Path) -> Iterator[tuple[str, Counter]]:
    counter = Counter()
    handler = type("Handler", (StaticHandler,), {"site": site.resolve(), "counter": counter,
                                                 "cache": {}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", counter
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- the browser ----------------------------------------------------------------------------

@contextlib.contextmanager
def cold_chromium(profile: Path) -> Iterator[Any]:
    """The tests' browser, with the probe on every page and no HTTP cache (every load cold)."""
    with chromium(profile, page_load_timeout=300, on_every_page=PROBE) as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        yield driver


class Sample(NamedTuple):
    seconds: float
    """Navigation start to the first result on screen."""
    ready: float
    """Navigation start to the filters shown with their counts (ours; Material: ``seconds``)."""
    results: int
    first_bytes: int
    """Fetched by the time the first result was on screen."""
    total_bytes: int
    search_bytes: int
    longest_task: float
    """Milliseconds."""


def is_search_file(path: str) -> bool:
    return path.startswith("/pagefind/") or path.endswith("search_index.json") or \
        "/workers/search" in path or "/lunr/" in path


READY = """
var root = document.getElementById("omh-search");
if (!root) { return window.__bench.first; }
if (root.getAttribute("data-omh-state") !== "done") { return null; }
if (window.__bench.ready === undefined) { window.__bench.ready = performance.now(); }
return window.__bench.ready;
"""


COUNT = """
var s = document.getElementById("omh-search-status");
var m = document.querySelector(".md-search-result__meta");
var t = ((s && s.textContent) || (m && m.textContent) || "").trim();
var n = t.replace(/,/g, "").match(/^(\\d+(?:\\.\\d+)?)(k?)/);  // Material says "6.2k"
return n ? Math.round(parseFloat(n[1]) * (n[2] ? 1000 : 1)) : (/^No/.test(t) ? 0 : -1);
"""


def wait_for(driver: Any, script: str, url: str, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value is not None:
            return float(value)
        time.sleep(0.02)
    raise RuntimeError(f"no result appeared within {timeout} s: {url}")


def measure(driver: Any, counter: Counter, url: str, timeout: float = 120) -> Sample:
    driver.get("about:blank")
    counter.take()
    driver.get(url)
    first = wait_for(driver, "return window.__bench && window.__bench.first", url, timeout)
    ready = wait_for(driver, READY, url, timeout)
    time.sleep(0.5)  # let the requests the results started finish
    shown_at = driver.execute_script("return performance.timeOrigin") / 1000 + first / 1000
    results = driver.execute_script(COUNT)
    longest = driver.execute_script("return window.__bench.longest")
    sent = counter.take()
    return Sample(first / 1000, ready / 1000, results,
                  sum(s.size for s in sent if s.at <= shown_at), sum(s.size for s in sent),
                  sum(s.size for s in sent if is_search_file(s.path)), float(longest))


def median(samples: list[Sample]) -> Sample:
    middle = sorted(samples, key=lambda s: s.seconds)[len(samples) // 2]
    return middle._replace(longest_task=statistics.median(s.longest_task for s in samples))


# -- report -----------------------------------------------------------------------------------

def kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB" if size < 10 * 1024 * 1024 else \
        f"{size / 1024 / 1024:,.1f} MiB"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


QUERY_WIDTH = 44
HEADER = (f"  {'search':<10}{'query':<{QUERY_WIDTH}}{'results':>8}{'to first':>11}{'in all':>11}"
          f"{'of search':>11}{'first':>9}{'filters':>9}{'longest task':>14}")


def row(name: str, query: str, sample: Sample | None) -> str:
    if sample is None:
        return f"  {name:<10}{query:<{QUERY_WIDTH}}{'(not possible)':>14}"
    return (f"  {name:<10}{query:<{QUERY_WIDTH}}{sample.results:>8,}"
            f"{kib(sample.first_bytes):>11}{kib(sample.total_bytes):>11}"
            f"{kib(sample.search_bytes):>11}{sample.seconds:>7.2f} s{sample.ready:>7.2f} s"
            f"{sample.longest_task:>11.0f} ms")


def build(root: Path, site: Path, material_search: bool) -> tuple[Path, float, float]:
    start = time.perf_counter()
    result = build_site(root, site, material_search=material_search)
    return result.site_dir, time.perf_counter() - start, result.timings.get("search index", 0)


def samples(driver: Any, counter: Counter, url: str, runs: int) -> Sample:
    return median([measure(driver, counter, url) for _ in range(runs)])


def run_size(size: int, runs: int, work: Path) -> None:
    root = work / "catalogue"
    generate(root, size)
    ours_site, ours_seconds, indexing = build(root, work / "site", False)
    theirs_site, theirs_seconds, _ = build(root, work / "site-material", True)
    pages = sum(1 for _ in ours_site.rglob("index.html"))
    bundle = folder_size(ours_site / "pagefind")
    files = sum(1 for p in (ours_site / "pagefind").rglob("*") if p.is_file())
    material_index = (theirs_site / "search" / "search_index.json").stat().st_size
    print(f"\n{size:,} records, {pages:,} pages. Build: {ours_seconds:.0f} s with Pagefind "
          f"(indexing {indexing:.1f} s); the copy with Material's search: {theirs_seconds:.0f} s")
    print(f"  on disk: Pagefind bundle {kib(bundle)} in {files:,} files; Material "
          f"search_index.json {kib(material_index)} (one file)")
    print("  fetched (gzip for text, as static hosts send it): by the first result, in all, "
          "and of that the search's files;\n  seconds from navigation to the first result "
          "and to the filters with counts")
    print(HEADER)
    term, facets = FACETED
    address = "&".join([f"q={quote(term)}", *(f"{k}={quote(v)}" for k, v in facets.items())])
    with cold_chromium(work / "profile") as driver:
        with serve(ours_site) as (base, counter):
            ours = {q: samples(driver, counter, f"{base}search/?q={quote(q)}", runs)
                    for q in QUERIES}
            faceted = samples(driver, counter, f"{base}search/?{address}", runs)
        with serve(theirs_site) as (base, counter):
            theirs = {q: samples(driver, counter, f"{base}?q={quote(q)}", runs) for q in QUERIES}
    for query in QUERIES:
        print(row("Pagefind", query, ours[query]))
        print(row("Material", query, theirs[query]))
    label = f"{term} + " + ", ".join(f"{k}={v}" for k, v in facets.items())
    print(row("Pagefind", label, faceted))
    print(row("Material", label, None))
    for name, field in (("bytes by the first result", "first_bytes"),
                        ("bytes in all", "total_bytes"), ("search bytes", "search_bytes"),
                        ("time to the first result", "seconds")):
        values = [getattr(theirs[q], field) / getattr(ours[q], field) for q in QUERIES]
        print(f"  Material / Pagefind, {name}: {min(values):.1f} to {max(values):.1f} "
              f"(median {statistics.median(values):.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=3, help="loads per query and search")
    args = parser.parse_args()
    if not available():
        sys.exit(f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium "
                 "chromium-driver)")
    mimetypes.add_type("application/javascript", ".js")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="omh-bench-search-") as folder:
            run_size(size, args.runs, Path(folder))


if __name__ == "__main__":
    main()
