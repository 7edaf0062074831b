"""The built example site in headless Chromium, as a reader on a phone (390 px) and on a desktop
(1400 px) sees it: every page fits the screen, logs no error and shows no stray "None"; a model
page's first screen offers Download, Cite and Use, and the onnxruntime code its Use menu
copies runs against the site's own files and gives the outputs of the package's samples."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromium import chromium, require_chromium
from test_site_support import REPO, example_site, html_pages, serve_folder

pytestmark = pytest.mark.slow

PHONE, DESKTOP = (390, 844), (1400, 900)
LAYOUT = """
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
let none = 0;
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (node.textContent.trim() === "None" && node.parentElement.closest("script, style") === null) {
    none += 1;
  }
}
return {scroll: document.documentElement.scrollWidth, width: window.innerWidth,
        none: none, title: document.title};
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serve_folder(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require_chromium()
    with chromium(tmp_path_factory.mktemp("reader-profile"), page_load_timeout=60,
                  on_every_page="", capabilities={"goog:loggingPrefs": {"browser": "ALL"}}
                  ) as driver:
        yield driver


def _open(driver: Any, url: str, size: tuple[int, int]) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.set_window_size(*size)
    driver.get(url)
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def _errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_fits_the_screen_and_runs_cleanly(browser: Any, site: Path, served: str,
                                                     size: tuple[int, int]) -> None:
    pages = [p.relative_to(site).as_posix() for p in html_pages(site)
             if p.name == "index.html" and p.parts[len(site.parts)] != "pagefind"]
    titles: dict[str, str] = {}
    problems = []
    _errors(browser)
    for path in [*(p.removesuffix("index.html") for p in pages), "no/such/page/"]:
        _open(browser, served + path, size)
        state = browser.execute_script(LAYOUT)
        if path == "no/such/page/":  # the server's 404 is the site's 404.html elsewhere
            continue
        if state["scroll"] > state["width"]:
            problems.append(f"{path}: {state['scroll']} px wide on a {state['width']} px screen")
        if state["none"]:
            problems.append(f"{path}: {state['none']} text(s) 'None'")
        errors = _errors(browser)
        if errors:
            problems.append(f"{path}: console errors {errors[:2]}")
        if state["title"] in titles:
            problems.append(f"{path}: same title as {titles[state['title']]}")
        titles[state["title"]] = path
    assert len(titles) >= 40
    assert not problems, "\n".join(problems)


RUN = """
import sys
import numpy as np
exec(compile(open(sys.argv[1]).read(), "snippet", "exec"))
np.savez(sys.argv[2], **{k: np.asarray(v) for k, v in outputs.items()})
"""


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_model_page_s_first_screen_runs_the_model(browser: Any, served: str, tmp_path: Path,
                                                    size: tuple[int, int]) -> None:
    _open(browser, served + "models/iris-softmax-classifier/", size)
    for menu in ("download", "cite", "use"):
        bottom = browser.execute_script(
            f"return document.querySelector('.omh-action--{menu} > summary')"
            ".getBoundingClientRect().bottom")
        assert bottom <= size[1], (menu, bottom)
    browser.execute_cdp_cmd("Emulation.setFocusEmulationEnabled", {"enabled": True})
    browser.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": served.rstrip("/"), "permissions": ["clipboardReadWrite",
                                                      "clipboardSanitizedWrite"]})
    browser.find_element("css selector", ".omh-action--use > summary").click()
    copy = browser.find_element("css selector", "button[data-omh-copy='omh-use-onnxruntime']")
    assert copy.is_displayed()
    copy.click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: copy.get_attribute("data-omh-copied") == "true")
    snippet = browser.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('error: ' + e))")
    assert snippet.startswith("# Iris Softmax Classifier v1.0.0"), snippet[:200]
    assert served in snippet  # the page's own address, where the page is served from
    assert not browser.execute_script(
        "return document.querySelector('.omh-action--download').open")  # one menu at a time

    (tmp_path / "snippet.py").write_text(snippet, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", RUN, str(tmp_path / "snippet.py"),
                           str(tmp_path / "outputs.npz")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] in ("setosa", "versicolor", "virginica")
    outputs = np.load(tmp_path / "outputs.npz")
    reference = np.load(REPO / "models" / "iris-softmax-classifier" / "samples.npz")
    for name in ("logits", "probabilities", "class_index"):
        np.testing.assert_allclose(outputs[name], reference[name], rtol=1e-4, atol=1e-4)
