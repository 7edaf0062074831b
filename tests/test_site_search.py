"""The site's search: Pagefind indexes the record pages (never a deleted one) with their facets,
sorts and key facts; the search page combines a query with facets, keeps them in its address,
and runs under the Content-Security-Policy, in headless Chromium, with nothing from another
host. With its index in several shards, the page shows what one index shows: the same sorted
results, counts and pages of results."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from test_site_browser import CLEAN, _open, _page_problems, browser, evil, example, example_path
from test_site_support import REPO, example_site, html_pages, running, site_files

from catalogue.load.store import RecordStore
from catalogue.pipeline import load_catalogue
from site_generator import search_shards
from site_generator.build import build_site
from site_generator.generate import generate
from site_generator.pagefind_stable import Raw, decode, encode, make_stable
from site_generator.search import EVERY_RECORD, FACETS

pytestmark = pytest.mark.slow
__all__ = ["browser", "evil", "example", "example_path"]  # fixtures shared with the browser tests


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory.getbasetemp())


SHARDS = 4
"""The shards of the example's index when each holds about six documents."""


class _Fetches(http.server.SimpleHTTPRequestHandler):
    """Serves a folder with nothing cached by the browser, noting each path asked for."""

    fetched: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        self.fetched.append(self.path)
        super().do_GET()


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The example's site with its search index in four shards, served; and the paths the
    browser asked for."""
    folder = tmp_path_factory.getbasetemp() / "example-site-sharded"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_shards, "DOCUMENTS_PER_SHARD", 6)
        build_site(REPO, folder, cache=False)
    assert sorted(p.name for p in (folder / "pagefind").iterdir()) == \
        [str(i) for i in range(SHARDS)]
    handler = type("Fetches", (_Fetches,), {"fetched": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(handler, directory=str(folder)))
    with running(server) as url:
        yield url, handler.fetched


@pytest.fixture(params=["one shard", "four shards"])
def served(request: pytest.FixtureRequest) -> str:
    """The example's site, its index in one shard and in four."""
    if request.param == "one shard":
        return str(request.getfixturevalue("example"))
    url, _ = request.getfixturevalue("sharded")
    return str(url)


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    """The index document of every page that has one, by page path."""
    catalogue, _ = load_catalogue(REPO, check=False)
    return {page.path: page.index_html for page in generate(catalogue).pages
            if page.index_html is not None}


def _filters(document: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in re.findall(r'<span data-pagefind-filter="([a-z_]+)">([^<]*)</span>',
                                 document):
        found.setdefault(key, []).append(value)
    return found


# -- what is indexed ------------------------------------------------------------------------

def test_records_are_indexed_but_deleted_ones_are_not(site: Path,
                                                      documents: dict[str, str]) -> None:
    records = {record.id: record for record in RecordStore(REPO).load_all()}
    assert set(documents) == {f"{i}/" for i, r in records.items() if r.status != "deleted"}
    assert "datasets/urban-street-imagery" in records
    bundle = site / "pagefind" / "0"  # a small catalogue's index is one shard
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == ["0"]
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == len(documents)
    assert (bundle / "pagefind.js").is_file()
    assert not (bundle / "pagefind-ui.js").exists()  # our page, not Pagefind's UI
    assert not (site / "search" / "search_index.json").exists()  # Material's search is off
    published = (site / "models" / "climate-detection-resnet" / "index.html").read_text("utf-8")
    assert "data-pagefind" not in published  # the pages themselves are left as they are


def test_a_record_carries_its_facets_sorts_and_facts(documents: dict[str, str]) -> None:
    model = documents["models/climate-detection-resnet/"]
    assert _filters(model) == {
        "kind": ["Model"], "task": ["Image classification"], "type": ["Classification"],
        "framework": ["PyTorch"], "license": ["MIT"], "organization": ["AI Research Institute"],
        "access": ["Public"], "status": ["Active"], "year": ["2025"], "carbon": ["Low"],
        "parity": ["No evidence"]}
    assert set(_filters(model)) <= {facet.key for facet in FACETS}
    # A sort key ends with the page's path (no two pages tie), repeated as metadata for the
    # search page to merge the shards' sorted results.
    key = "2025-10-14\x1fmodels/climate-detection-resnet/"
    assert f'<span data-pagefind-sort="date">{key}</span>' in model
    assert f'<span data-pagefind-meta="sort_date">{key}</span>' in model
    assert f"<p>{EVERY_RECORD}</p>" in model
    assert "ResNet50 with custom classification head" not in model  # the search view only
    assert "Model card" in model and "Image classification" in model
    facts = re.search(r'<span data-pagefind-meta="facts">([^<]*)</span>', model)
    assert facts is not None and ["Framework", "PyTorch"] in json.loads(
        facts.group(1).replace("&#34;", '"'))
    dataset = _filters(documents["datasets/weather-station-readings-v1/"])
    assert dataset["status"] == ["Deprecated"] and dataset["format"] == ["CSV"]
    assert _filters(documents["models/iris-softmax-classifier/"])["parity"] == ["Passed"]
    assert _filters(documents["researchers/chen-wei/"])["organization"] == ["Open Climate Lab"]


def test_only_the_search_page_may_compile_webassembly(site: Path) -> None:
    for page in html_pages(site):
        head = page.read_text(encoding="utf-8")[:3000]
        wasm = "'wasm-unsafe-eval'" in head
        assert wasm == (page == site / "search" / "index.html"), page
        assert "'unsafe-eval'" not in head


def test_every_page_leads_to_the_search_page(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<a class="md-button md-button--primary" href="search/">' in home
    record = (site / "models" / "iris-softmax-classifier" / "index.html").read_text("utf-8")
    assert '<form class="omh-header-search" action="../../search/" method="get"' in record
    models = (site / "models" / "index.html").read_text(encoding="utf-8")
    assert 'href="../search/?kind=Model"' in models
    for page in html_pages(site):
        assert 'for="__search"' not in page.read_text(encoding="utf-8").split("md-content")[1]


def test_the_index_is_canonical(site: Path, tmp_path: Path) -> None:
    """Pagefind writes filters in a random order; the build puts them in one order (two builds
    being byte-identical is tested in test_site_build)."""
    bundle = tmp_path / "pagefind"
    shutil.copytree(site / "pagefind" / "0", bundle)
    make_stable(bundle)  # again: nothing moves
    assert site_files(bundle) == site_files(site / "pagefind" / "0")
    for chunk in (bundle / "filter").iterdir():
        item, _ = decode(gzip.decompress(chunk.read_bytes())[len(b"pagefind_dcd"):])
        values = [value for value, _ in item[1]]
        assert values == sorted(values)


def test_cbor_round_trip() -> None:
    item = [0, 23, 24, 255, 256, 65536, 2**32, -1, -500, "", "é" * 30, b"\x00\x01",
            [[1, [2]], {"a": [3]}], Raw(b"\xfb" + bytes(8)), Raw(b"\xf5")]
    data = encode(item)
    assert decode(data) == (item, len(data))


# -- in the browser -------------------------------------------------------------------------

def _wait_done(driver: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "var r = document.getElementById('omh-search');"
        "return r && r.getAttribute('data-omh-state') === 'done'"))


def _titles(driver: Any) -> list[str]:
    return [a.text for a in driver.find_elements("css selector", "a.omh-result__title")]


def _facet(driver: Any, key: str, value: str) -> Any:
    return driver.find_element("css selector",
                               f"input[data-omh-facet='{key}'][value='{value}']")


def _address(driver: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(driver.current_url).query)


CLIMATE_PYTORCH_MODELS = ["Climate Detection ResNet Model", "Climate Detection ResNet Model (beta)",
                          "Climate Detection ResNet Model, Arctic fine-tune"]


def test_query_and_two_facets_survive_opening_a_result(browser: Any, served: str) -> None:
    example = served
    _open(browser, example + "search/")
    _wait_done(browser)
    assert len(_titles(browser)) == 20  # every record, newest first, a page at a time
    query = browser.find_element("id", "omh-search-query")
    query.send_keys("climate")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda d: _address(d).get("q") == ["climate"])
    _wait_done(browser)
    assert "Climate Change Detection Dataset" in _titles(browser)
    _facet(browser, "kind", "Model").click()
    WebDriverWait(browser, 30).until(lambda d: "kind" in _address(d))
    _wait_done(browser)
    assert _facet(browser, "framework", "NumPy").is_displayed()  # other frameworks, counted
    _facet(browser, "framework", "PyTorch").click()
    WebDriverWait(browser, 30).until(lambda d: "framework" in _address(d))
    _wait_done(browser)
    assert sorted(_titles(browser)) == CLIMATE_PYTORCH_MODELS
    assert _address(browser) == {"q": ["climate"], "kind": ["Model"], "framework": ["PyTorch"]}
    status = browser.find_element("id", "omh-search-status").text
    assert status.startswith("3 results")
    deprecated = browser.find_elements("css selector", "li.omh-result--deprecated "
                                                       "a.omh-result__title")
    assert [a.text for a in deprecated] == ["Climate Detection ResNet Model (beta)"]
    facts = browser.find_element("css selector", "li.omh-result .omh-result__facts").text
    assert "PyTorch" in facts and "AI Research Institute" in facts
    assert _page_problems(browser) == CLEAN

    link = next(a for a in browser.find_elements("css selector", "a.omh-result__title")
                if a.text == "Climate Detection ResNet Model")
    link.click()
    WebDriverWait(browser, 30).until(
        lambda d: urlsplit(d.current_url).path == "/models/climate-detection-resnet/")
    assert browser.find_element("css selector", "h1").text.startswith(
        "Climate Detection ResNet Model")
    browser.back()
    _wait_done(browser)
    assert browser.find_element("id", "omh-search-query").get_attribute("value") == "climate"
    assert _facet(browser, "kind", "Model").is_selected()
    assert _facet(browser, "framework", "PyTorch").is_selected()
    assert sorted(_titles(browser)) == CLIMATE_PYTORCH_MODELS

    browser.find_element("id", "omh-search-clear").click()
    WebDriverWait(browser, 30).until(lambda d: _address(d) == {"q": ["climate"]})
    _wait_done(browser)
    assert len(_titles(browser)) > 3
    assert _page_problems(browser) == CLEAN


def test_sorting_and_deleted_records(browser: Any, example: str) -> None:
    _open(browser, example + "search/?kind=Dataset&sort=name")
    _wait_done(browser)
    titles = _titles(browser)
    assert titles == sorted(titles, key=str.casefold) and len(titles) == 6
    assert "Urban Street Imagery" not in titles  # deleted: its page stays, search drops it
    _open(browser, example + "search/?q=urban+street+imagery&kind=Dataset")
    _wait_done(browser)
    assert _titles(browser) == []
    assert browser.find_element("id", "omh-search-status").text == "No results."
    _open(browser, example + "search/?kind=Model&sort=carbon")
    _wait_done(browser)
    titles = _titles(browser)
    assert titles[0] == "Iris Softmax Classifier"
    assert titles[-2:] == ["Nordic Station Weather Forecaster",
                           "Climate Detection ResNet Model (beta)"]  # no footprint: last
    assert _page_problems(browser) == CLEAN


MAIN_THREAD = """
const done = arguments[arguments.length - 1];
import(new URL("../pagefind/0/pagefind.js", document.baseURI).href)
  .then(p => { const i = p.createInstance({noWorker: true}); return i.search("iris"); })
  .then(r => done(r.results.length), e => done(String(e)));
"""


def test_pagefind_runs_in_the_page_under_the_policy(browser: Any, example: str) -> None:
    """Pagefind runs in a worker, or in the page when it cannot start one: its WebAssembly is
    allowed on the search page ('wasm-unsafe-eval') and nowhere else."""
    browser.set_script_timeout(30)
    _open(browser, example + "search/")
    _wait_done(browser)
    assert browser.execute_async_script(MAIN_THREAD) >= 3
    assert _page_problems(browser) == CLEAN
    _open(browser, example + "carbon/")
    assert not isinstance(browser.execute_async_script(MAIN_THREAD), int)
    assert any("wasm" in v or "script-src" in v for v in _page_problems(browser)["violations"])


def test_search_results_never_run_payloads(browser: Any, evil: tuple[str, Path]) -> None:
    url, _ = evil
    _open(browser, url + "search/?q=evil")
    _wait_done(browser)
    assert _titles(browser)
    _open(browser, url + "search/?q=script")
    _wait_done(browser)
    assert browser.find_elements("css selector", "li.omh-result")
    assert browser.execute_script(
        "return document.querySelectorAll('.omh-results :is(script, img, svg, iframe)').length"
    ) == 0
    assert _page_problems(browser) == CLEAN


# -- search quality -------------------------------------------------------------------------

def _kinds_and_titles(driver: Any) -> list[tuple[str, str]]:
    return driver.execute_script(
        "return [...document.querySelectorAll('li.omh-result')].map(li => ["
        "li.querySelector('.omh-kind').textContent, "
        "li.querySelector('.omh-result__title').textContent])")


def test_nonsense_finds_nothing_and_a_name_ranks_first(browser: Any, example: str) -> None:
    _open(browser, example + "search/?q=xyzzynothing")
    _wait_done(browser)
    assert _titles(browser) == []
    assert browser.find_element("id", "omh-search-status").text == "No results."
    _open(browser, example + "search/?q=climate")
    _wait_done(browser)
    models = [title for kind, title in _kinds_and_titles(browser) if kind == "Model"]
    assert models[0] == "Climate Detection ResNet Model", models
    ranked = [title for _, title in _kinds_and_titles(browser)]
    people = [ranked.index(name) for name in ("Alice Johnson", "Chen Wei") if name in ranked]
    named = [i for i, title in enumerate(ranked) if "Climate" in title]
    assert people and max(named) < min(people)  # names that match before mere mentions
    _open(browser, example + "search/?q=climate-detection-resnet50.onnx")
    _wait_done(browser)
    assert "Climate Detection ResNet Model" in _titles(browser)  # a file name finds its model
    excerpts = " ".join(p.text for p in browser.find_elements("css selector",
                                                                ".omh-result__excerpt"))
    assert "@misc" not in excerpts and "import " not in excerpts
    _open(browser, example + "search/?q=johnson")
    _wait_done(browser)
    excerpts = " ".join(p.text for p in browser.find_elements("css selector",
                                                                ".omh-result__excerpt"))
    assert "Alice Johnson" in _titles(browser)
    assert "@misc" not in excerpts and "author =" not in excerpts  # citations are not prose
    assert _page_problems(browser) == CLEAN


def test_back_undoes_a_facet_and_show_more_hides(browser: Any, served: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    example = served
    _open(browser, example + "search/?q=iris")
    _wait_done(browser)
    assert not browser.find_element("id", "omh-search-more").is_displayed()  # all shown
    _open(browser, example + "search/?q=climate")
    _wait_done(browser)
    before = _titles(browser)
    _facet(browser, "kind", "Dataset").click()
    WebDriverWait(browser, 30).until(lambda d: "kind" in _address(d))
    _wait_done(browser)
    assert _titles(browser) != before and len(_titles(browser)) < len(before)
    browser.back()
    WebDriverWait(browser, 30).until(lambda d: "kind" not in _address(d))
    _wait_done(browser)
    assert _titles(browser) == before
    assert not _facet(browser, "kind", "Dataset").is_selected()
    _open(browser, example + "search/")
    _wait_done(browser)
    more = browser.find_element("id", "omh-search-more")
    assert more.is_displayed() and len(_titles(browser)) == 20
    more.click()
    WebDriverWait(browser, 30).until(lambda d: not more.is_displayed())
    assert len(_titles(browser)) > 20
    assert _page_problems(browser) == CLEAN


def test_filters_sit_behind_a_button_on_a_phone(browser: Any, example: str) -> None:
    browser.set_window_size(390, 844)
    try:
        _open(browser, example + "search/?q=climate")
        _wait_done(browser)
        facets = browser.find_element("id", "omh-facets")
        toggle = browser.find_element("id", "omh-filters-toggle")
        first_result = browser.find_element("css selector", "li.omh-result")
        assert toggle.is_displayed() and not facets.is_displayed()
        assert toggle.location["y"] < first_result.location["y"]  # above the results
        toggle.click()
        assert facets.is_displayed() and toggle.get_attribute("aria-expanded") == "true"
        assert facets.location["y"] < first_result.location["y"]
        _facet(browser, "kind", "Model").click()
        _wait_done(browser)
        assert browser.find_element("id", "omh-filters-toggle").text == "Filters (1)"
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        browser.set_window_size(1280, 1600)


# -- shards ---------------------------------------------------------------------------------

def _every_result(driver: Any) -> list[str]:
    """The addresses of every result, "Show more" clicked until there are no more."""
    from selenium.webdriver.support.ui import WebDriverWait

    more = driver.find_element("id", "omh-search-more")
    while more.is_displayed():
        status = driver.find_element("id", "omh-search-status").text
        more.click()
        WebDriverWait(driver, 30).until(
            lambda d, before=status: d.find_element("id", "omh-search-status").text != before)
    links = driver.find_elements("css selector", "li.omh-result .omh-result__title")
    return [a.get_attribute("href") or a.text for a in links]


def _facet_counts(driver: Any) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in driver.execute_script(
        "return [...document.querySelectorAll('label.omh-facet__value')].map(l => ["
        "l.querySelector('input').getAttribute('data-omh-facet'), l.querySelector('input').value,"
        " l.querySelector('.omh-facet__count').textContent])")]


def _view(driver: Any, base: str, address: str) -> dict[str, Any]:
    _open(driver, base + address)
    _wait_done(driver)
    status = driver.find_element("id", "omh-search-status").text
    counts = _facet_counts(driver)
    results = [urlsplit(url).path for url in _every_result(driver)]
    return {"status": status, "counts": counts, "results": results}


SORTED_VIEWS = ("search/", "search/?sort=name", "search/?sort=carbon",
                "search/?kind=Dataset&sort=name", "search/?q=climate&sort=name",
                "search/?q=weather&status=Active&sort=newest",
                "search/?year=2025&kind=Model&kind=Dataset&sort=carbon",
                "search/?q=climate&kind=Model&framework=PyTorch&sort=name",
                "search/?q=xyzzynothing&sort=name")


@pytest.mark.parametrize("address", SORTED_VIEWS)
def test_shards_sort_count_and_page_as_one_index(browser: Any, example: str,
                                                 sharded: tuple[str, list[str]],
                                                 address: str) -> None:
    """A sorted view (and "Newest first" without a query) of four shards is the one index's,
    result for result, page after page, with the same filter counts."""
    one = _view(browser, example, address)
    four = _view(browser, sharded[0], address)
    assert four == one
    assert _page_problems(browser) == CLEAN


@pytest.mark.parametrize("query", ["climate", "iris", "johnson"])
def test_shards_find_what_one_index_finds(browser: Any, example: str,
                                          sharded: tuple[str, list[str]], query: str) -> None:
    """A query's best matches come from every shard, ranked by each shard's scores: the same
    results and counts as one index, in an order close to its order."""
    one = _view(browser, example, f"search/?q={query}")
    four = _view(browser, sharded[0], f"search/?q={query}")
    assert four["status"] == one["status"] and four["counts"] == one["counts"]
    assert sorted(four["results"]) == sorted(one["results"]) and one["results"]


def test_a_sorted_view_reads_the_results_it_shows(browser: Any,
                                                  sharded: tuple[str, list[str]]) -> None:
    """Merging the shards by sort key reads a result's data when it heads its shard's list
    (and the next one meanwhile), never every result's."""
    url, fetched = sharded
    _open(browser, url + "search/?sort=name")
    fetched.clear()
    _open(browser, url + "search/?sort=carbon")
    _wait_done(browser)
    fragments = [path for path in fetched if "/fragment/" in path]
    assert len(_titles(browser)) == 20
    assert 20 <= len(fragments) <= 20 + 2 * SHARDS < 34
    assert {path.split("/")[2] for path in fragments} == {str(i) for i in range(SHARDS)}
