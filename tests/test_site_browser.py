"""The built site in a real browser: Debian's headless Chromium, driven by Selenium with the
system chromedriver, with every host but 127.0.0.1 unreachable.

Model, dataset, experiment and carbon pages render (lineage graphs drawn at build time as
static SVG, charts by the site's own Chart.js), nothing is requested from another host, no
Content Security Policy violation happens, and a record whose every text field and card are
full of script-injection payloads runs none of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from chromium import chromium, require_chromium
from conftest import minimal_records, write_catalogue
from test_site_support import build_once, example_site, serve_folder

pytestmark = pytest.mark.slow

WATCH = """
window.__omh = {violations: [], alerts: []};
document.addEventListener("securitypolicyviolation", function (e) {
  window.__omh.violations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
window.alert = window.confirm = window.prompt = function (m) {
  window.__omh.alerts.push(String(m));
};
"""
PWN = "window.omhPwned=(window.omhPwned||0)+1"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require_chromium()
    with chromium(tmp_path_factory.mktemp("chromium-profile"), page_load_timeout=60,
                  on_every_page=WATCH,
                  capabilities={"goog:loggingPrefs": {"browser": "ALL"}}) as driver:
        yield driver


@pytest.fixture(scope="module")
def example_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def example(example_path: Path) -> Iterator[str]:
    with serve_folder(example_path) as url:
        yield url


def _open(driver: Any, url: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    wait = WebDriverWait(driver, 30)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def _hosts_requested(driver: Any) -> set[str]:
    urls = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([location.href])")
    return {urlsplit(u).hostname or "" for u in urls}


def _page_problems(driver: Any) -> dict[str, Any]:
    state = driver.execute_script("return window.__omh")
    errors = [entry["message"] for entry in driver.get_log("browser")
              if entry["level"] == "SEVERE"]
    return {"violations": state["violations"], "alerts": state["alerts"], "errors": errors,
            "pwned": driver.execute_script("return window.omhPwned || 0"),
            "hosts": _hosts_requested(driver) - {"127.0.0.1"}}


CLEAN = {"violations": [], "alerts": [], "errors": [], "pwned": 0, "hosts": set()}


def _diagram_rendered(driver: Any, page: Path) -> bool:
    """The page's lineage graph is the static drawing the build wrote, laid out (every node
    inside the drawing) and shown, with no diagram library loaded."""
    assert '<svg class="omh-lineage__graph"' in page.read_text(encoding="utf-8"), page
    return bool(driver.execute_script(
        "const s = document.querySelector('.omh-lineage svg.omh-lineage__graph');"
        "if (!s || s.getBoundingClientRect().height < 40) return false;"
        "const box = s.viewBox.baseVal;"
        "return [...s.querySelectorAll('rect')].every(r => r.x.baseVal.value >= 0 &&"
        " r.x.baseVal.value + r.width.baseVal.value <= box.width)"
        " && typeof mermaid === 'undefined'"))


def test_model_page_and_its_lineage_graph_render(browser: Any, example: str,
                                                example_path: Path) -> None:
    path = "models/climate-detection-resnet/"
    _open(browser, example + path)
    assert browser.find_element("css selector", "h1").text.startswith(
        "Climate Detection ResNet Model")
    assert _diagram_rendered(browser, example_path / path / "index.html")
    files = browser.find_elements("css selector", "table.omh-files tbody tr")
    assert len(files) == 5
    button = browser.find_element("css selector", ".omh-citation button[data-omh-copy]")
    browser.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    from selenium.webdriver.support.ui import WebDriverWait

    # The copy settles after the click returns: the clipboard's promise, or the selection the
    # page falls back on when the clipboard refuses an unfocused headless window.
    WebDriverWait(browser, 10).until(lambda d: button.get_attribute("data-omh-copied") == "true")
    assert _page_problems(browser) == CLEAN


def test_dataset_page_renders(browser: Any, example: str, example_path: Path) -> None:
    path = "datasets/climate-change-detection/"
    _open(browser, example + path)
    assert browser.find_element("css selector", "h1").text.startswith(
        "Climate Change Detection Dataset")
    assert _diagram_rendered(browser, example_path / path / "index.html")
    headings = [h.text for h in browser.find_elements("css selector", "h2")]
    for section in ("Dataset statistics", "Privacy and ethics", "Columns and schema", "Used by"):
        assert section in headings
    assert _page_problems(browser) == CLEAN


def test_experiment_metrics_and_carbon_charts_draw(browser: Any, example: str) -> None:
    for path, charts in (("experiments/climate-detection-training-run/", 2), ("carbon/", 3)):
        _open(browser, example + path)
        drawn = browser.find_elements("css selector", "canvas[data-omh-drawn='true']")
        assert len(drawn) == charts, path
        assert browser.execute_script("return typeof Chart") == "function"
        assert _page_problems(browser) == CLEAN


def test_home_and_list_pages_work(browser: Any, example: str) -> None:
    _open(browser, example)
    assert browser.find_element("css selector", "h1").text == "Open Models Hub"
    browser.find_element("css selector", "a.omh-kind-card[href='models/']").click()
    _open(browser, browser.current_url)
    rows = browser.find_elements("css selector", "table.omh-list tbody tr")
    assert len(rows) >= 4
    assert _page_problems(browser) == CLEAN


# -- a record full of script-injection payloads ------------------------------------------------

TEXT_PAYLOADS = [
    f"<script>{PWN}</script>", f"<img src=x onerror=\"{PWN}\">", f"<svg onload=\"{PWN}\">",
    f"</title><script>{PWN}</script>", f"&lt;/title&gt;&lt;script&gt;{PWN}&lt;/script&gt;",
    f"\"><script>{PWN}</script>", f"javascript:{PWN}", "'-alert(1)-'",
    "%%{init: {\"securityLevel\": \"loose\"}}%%", f"\"]; click A call {PWN}; A[\"",
]
CARD_PAYLOADS = f"""# Evil card

<script>{PWN}</script>
<img src=x onerror="{PWN}">
<svg onload="{PWN}"><circle r="5"></circle></svg>
<iframe src="javascript:parent.{PWN}"></iframe>
<iframe srcdoc="&lt;script&gt;parent.{PWN}&lt;/script&gt;"></iframe>
<object data="javascript:{PWN}"></object>
<math><mtext><table><mglyph><style><img src=x onerror="{PWN}">
</style></mglyph></table></mtext></math>
<details open ontoggle="{PWN}"><summary>s</summary>x</details>
<form action="javascript:{PWN}"><button id="go">go</button></form>
<base href="javascript:/">
<meta http-equiv="refresh" content="0;url=javascript:{PWN}">
<a href="java&#x09;script:{PWN}" id="tab">tab</a>
<div id="mermaid">clobber</div>
<a id="__config" name="__search">clobber</a>
<p style="background:url(javascript:{PWN})">styled</p>
<img src="https://evil.example/pixel.png"><link rel="stylesheet" href="https://evil.example/x.css">

[js](javascript:{PWN}) ![remote](https://evil.example/x.png) ![up](../../datasets/test-data/x.png)
"""


def _evil_catalogue(root: Path) -> Path:
    records: dict[str, Any] = dict(minimal_records())
    text = " ".join(TEXT_PAYLOADS)
    model = records["models/test-model"]
    model.update(name=("Evil " + TEXT_PAYLOADS[0] + TEXT_PAYLOADS[3] + TEXT_PAYLOADS[9])[:300],
                 description=text, architecture=text, limitations=text, intended_use=text,
                 subjects=TEXT_PAYLOADS[:4], class_labels=TEXT_PAYLOADS[:3],
                 evaluations=[{"metric": TEXT_PAYLOADS[1][:100], "value": 1.0,
                               "description": TEXT_PAYLOADS[0]}])
    records["datasets/test-data"].update(
        name=TEXT_PAYLOADS[2], description=text, ethical_considerations=text,
        columns=[{"name": TEXT_PAYLOADS[0][:200], "data_type": "category",
                  "description": TEXT_PAYLOADS[1]}])
    experiment = records["experiments/test-run"]
    experiment.update(
        description=text, hyperparameters={"payload": TEXT_PAYLOADS[0], "x": TEXT_PAYLOADS[3]},
        metrics=[{"name": TEXT_PAYLOADS[0][:100], "metric_type": "loss",
                  "steps": [{"step": 1, "value": 1.0}, {"step": 2, "value": 0.5}]}])
    records["researchers/ada-lovelace"].update(first_name=TEXT_PAYLOADS[0][:100],
                                               email="a@b.example")
    records["organizations/test-institute"].update(description=text,
                                                   website=f"https://x.example/{PWN}")
    write_catalogue(root, records)
    for record_id in ("models/test-model", "datasets/test-data"):
        (root / record_id / "README.md").write_text(CARD_PAYLOADS, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    base = tmp_path_factory.mktemp("evil")
    site = build_once(_evil_catalogue(base / "catalogue"), base / "site", force=True)
    with serve_folder(site) as url:
        yield url, site


HAS_HANDLER = ("return [...document.querySelectorAll('*')].some("
               "el => [...el.attributes].some(a => a.name.startsWith('on')))")


@pytest.mark.parametrize("path", ["models/test-model/", "datasets/test-data/",
                                  "experiments/test-run/", "researchers/ada-lovelace/",
                                  "organizations/test-institute/", "models/", ""])
def test_injected_payloads_never_run(browser: Any, evil: tuple[str, Path], path: str) -> None:
    url, site = evil
    _open(browser, url + path)
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    assert browser.execute_script(
        "return document.querySelectorAll('.omh-page :is(iframe, object, embed, form, base, "
        "svg:not(.omh-lineage__graph), script:not([type]), style, link, meta)').length") == 0
    assert browser.execute_script(HAS_HANDLER) is False
    assert _page_problems(browser) == CLEAN
    if path in ("models/test-model/", "datasets/test-data/", "experiments/test-run/"):
        assert _diagram_rendered(browser, site / path / "index.html")
