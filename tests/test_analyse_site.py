"""The Analyse pages of the example site, as built by ``omh build``: a leaderboard in the right
order with energy beside the score and the Pareto front, the JSON beside every page, a model
page's rank, and the reproducibility report on asset pages; then every Analyse page in
headless Chromium at phone and desktop widths, with its charts drawn."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import chromium, require_chromium
from test_site_support import example_site, serve_folder

pytestmark = pytest.mark.slow

CLIMATE = "analyse/leaderboards/image-classification--climate-change-detection--test--accuracy/"
PHONE, DESKTOP = (390, 844), (1400, 900)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory.getbasetemp())


def analyse_pages(site: Path) -> list[str]:
    return sorted(p.parent.relative_to(site).as_posix() + "/"
                  for p in (site / "analyse").rglob("index.html"))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_analyse_page_has_its_json_and_is_in_the_navigation(site: Path) -> None:
    pages = analyse_pages(site)
    assert {"analyse/", "analyse/leaderboards/", "analyse/trends/", "analyse/reuse/",
            "analyse/hyperparameters/", "analyse/reproducibility/", CLIMATE} <= set(pages)
    for page in pages:
        assert json.loads((site / page / "data.json").read_text(encoding="utf-8"))
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="analyse/"[^>]*>\s*Analyse', home)


def test_leaderboard_order_energy_and_front(site: Path) -> None:
    board = json.loads((site / CLIMATE / "data.json").read_text(encoding="utf-8"))
    rows = [(e["model"], e["rank"], e["value"], e["pareto_front"]) for e in board["entries"]]
    # The records' evaluations: 0.874, 0.866 (fine-tuned, a tenth of the energy), 0.829 (no
    # recorded run, so no energy and no place on the front).
    assert rows == [("models/climate-detection-resnet", 1, 0.874, True),
                    ("models/climate-detection-resnet-arctic", 2, 0.866, True),
                    ("models/climate-detection-resnet-beta", 3, 0.829, False)]
    assert board["entries"][1]["training_kwh"] < board["entries"][0]["training_kwh"] / 5
    text = _text((site / CLIMATE / "index.html").read_text(encoding="utf-8"))
    assert re.search(r"1 Climate Detection ResNet Model .*0\.874 .*kWh", text)
    assert "Pareto front" in (site / CLIMATE / "index.html").read_text(encoding="utf-8")


def test_model_page_links_its_rank(site: Path) -> None:
    html = (site / "models/climate-detection-resnet-arctic/index.html").read_text(
        encoding="utf-8")
    assert f'href="../../{CLIMATE}"' in html
    assert "Rank 2 of 3" in _text(html)


def test_reproducibility_report_on_asset_pages(site: Path) -> None:
    sklearn = _text((site / "experiments/iris-sklearn-training/index.html").read_text(
        encoding="utf-8"))
    assert re.search(r"Code commit missing No code_commit_hash", sklearn)
    beta = _text((site / "models/climate-detection-resnet-beta/index.html").read_text(
        encoding="utf-8"))
    assert re.search(r"Environment pinned missing", beta)
    assert "Reproducibility" in beta and "Quality (FAIR) score" in beta


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require_chromium()
    with chromium(tmp_path_factory.mktemp("analyse-profile"), page_load_timeout=60,
                  on_every_page="", capabilities={"goog:loggingPrefs": {"browser": "ALL"}}
                  ) as driver:
        yield driver


STATE = """
const canvases = document.querySelectorAll("canvas[data-omh-chart]");
return {scroll: document.documentElement.scrollWidth, width: window.innerWidth,
        charts: canvases.length,
        drawn: document.querySelectorAll("canvas[data-omh-drawn]").length,
        failed: document.querySelectorAll("[data-omh-error]").length,
        tables: document.querySelectorAll("table").length};
"""


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_analyse_pages_in_chromium(browser: Any, site: Path, size: tuple[int, int]) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(*size)
    problems, charts = [], 0
    with serve_folder(site) as url:
        for page in analyse_pages(site):
            browser.get(url + page)
            WebDriverWait(browser, 30).until(
                lambda d: d.execute_script("return document.readyState") == "complete")
            state = browser.execute_script(STATE)
            errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
            charts += state["charts"]
            if errors or state["drawn"] != state["charts"] or state["failed"]:
                problems.append((page, errors, state))
            if state["scroll"] > state["width"]:
                problems.append((page, "wider than the screen", state))
    assert not problems
    assert charts >= 8
