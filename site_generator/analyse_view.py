"""The Analyse pages: leaderboards (one page each, with score against training energy and the
Pareto front), trends and comparisons, hyperparameters, reuse and reproducibility. Every figure
comes from ``catalogue.derive.analyses``; these functions only choose what a page shows (the top
entries, so that no page grows with the catalogue) and publish the full figures as JSON beside
each page."""

from __future__ import annotations

from typing import Any

from catalogue.derive.analyses import Analyses
from catalogue.derive.leaderboards import Leaderboard, Standing
from site_generator import formatting
from site_generator.downloads import PublishedFile
from site_generator.json_bytes import compact_json
from site_generator.render import SiteContext, render, table_of_contents
from site_generator.site import CHART, GeneratedPage

ANALYSE_PATH = "analyse/"
DATA_FILE = "data.json"
TOP = 25
"""Rows of a table on an Analyse page; the JSON beside it has them all."""
BOARDS_SHOWN = 100
CHART_POINTS = 200
FAMILIES_SHOWN = 5
PARAMETER_CHARTS = 6
MONTHS_SHOWN = 36

PAGES = (("leaderboards/", "Leaderboards", "Models ranked per task, dataset, split and metric, "
          "with their training energy and CO\u2082e"),
         ("trends/", "Trends and comparisons", "Assets, energy and CO\u2082e over time; "
          "frameworks, model types and resources compared"),
         ("hyperparameters/", "Hyperparameters", "Each hyperparameter against the outcome, "
          "per family of experiments"),
         ("reuse/", "Reuse", "The most reused datasets and base models, and derived works"),
         ("reproducibility/", "Reproducibility", "How repeatable the runs are, and runs that "
          "claim the same configuration but differ"))


def _json(path: str, document: Any) -> PublishedFile:
    return PublishedFile(f"{path}{DATA_FILE}", content=compact_json(document, False))


def _page(site: SiteContext, path: str, title: str, description: str, template: str,
          with_charts: bool = False, **context: Any) -> GeneratedPage:
    html = render(template, site, path, title=title, data_file=DATA_FILE, **context)
    return GeneratedPage(path, title, html, tuple(table_of_contents(html)),
                         description=description, scripts=frozenset({CHART} if with_charts else ()),
                         section=ANALYSE_PATH)


def board_path(board: Leaderboard | Standing) -> str:
    return f"{ANALYSE_PATH}leaderboards/{board.slug}/"


def scatter(chart_id: str, title: str, board: Leaderboard, cost: str) -> dict[str, Any] | None:
    """Score against training energy (``kwh``) or CO2e (``kg``); the front as a line."""
    rows = [e for e in board.entries if getattr(e, cost) is not None][:CHART_POINTS]
    if len(rows) < 2:
        return None
    points = [[getattr(e, cost), e.value, formatting.truncate(e.name, 40)] for e in rows]
    front = sorted([p for p, e in zip(points, rows, strict=True) if e.on_front])
    return {"id": chart_id, "title": title, "type": "scatter",
            "x": "training energy (kWh)" if cost == "kwh" else "training CO\u2082e (kg)",
            "y": board.metric.display, "log": True,
            "series": [{"label": "models", "points": points},
                       {"label": "Pareto front", "points": front, "line": True}]}


def leaderboard_pages(site: SiteContext) -> tuple[list[GeneratedPage], list[PublishedFile]]:
    analyses = site.analyses
    pages, files = [], []
    for board in analyses.leaderboards:
        path = board_path(board)
        charts = [c for c in (scatter(f"{board.slug}-kwh", "Score against training energy",
                                      board, "kwh"),
                              scatter(f"{board.slug}-kg", "Score against training CO\u2082e",
                                      board, "kg")) if c]
        pages.append(_page(site, path, f"Leaderboard: {board.title}",
                           f"{board.task}: models ranked by {board.metric.display}",
                           "leaderboard.html", with_charts=bool(charts), board=board,
                           entries=board.entries[:TOP], charts=charts))
        files.append(_json(path, board.as_json()))
    by_task: dict[str, list[Leaderboard]] = {}
    for board in analyses.leaderboards[:BOARDS_SHOWN]:
        by_task.setdefault(board.task, []).append(board)
    path = f"{ANALYSE_PATH}leaderboards/"
    pages.append(_page(site, path, "Leaderboards", PAGES[0][2], "leaderboards.html",
                       by_task=by_task, total=len(analyses.leaderboards),
                       board_path=board_path))
    files.append(_json(path, {"leaderboards": [
        {"slug": b.slug, "title": b.title, "task": b.task, "dataset": b.dataset_id,
         "split": b.split, "metric": b.metric.key, "models": len(b.entries),
         "page": board_path(b), "data": f"{board_path(b)}{DATA_FILE}"}
        for b in analyses.leaderboards]}))
    return pages, files


def _trend_charts(analyses: Analyses) -> list[dict[str, Any]]:
    years = analyses.trends.years
    months = dict(list(analyses.trends.months.items())[-MONTHS_SHOWN:])
    return [
        {"id": "trend-assets", "title": "Assets added by year", "type": "bar",
         "labels": list(years), "unit": "assets",
         "series": [{"label": "assets", "values": [p.assets_added for p in years.values()]}]},
        {"id": "trend-energy", "title": "Energy by month", "type": "bar", "labels": list(months),
         "unit": "kWh", "series": [{"label": "kWh",
                                    "values": [round(p.kwh, 6) for p in months.values()]}]},
    ]


def trends_page(site: SiteContext) -> tuple[GeneratedPage, PublishedFile]:
    analyses = site.analyses
    path = f"{ANALYSE_PATH}trends/"
    comparisons = analyses.comparisons
    page = _page(site, path, "Trends and comparisons", PAGES[1][2], "analyse_trends.html",
                 with_charts=True, trends=analyses.trends, comparisons=comparisons,
                 charts_spec=_trend_charts(analyses), top=TOP,
                 boards={b.slug: b for b in analyses.leaderboards})
    return page, _json(path, {"trends": analyses.trends.as_json(),
                              "comparisons": comparisons.as_json()})


def hyperparameters_page(site: SiteContext) -> tuple[GeneratedPage, PublishedFile]:
    analyses = site.analyses
    path = f"{ANALYSE_PATH}hyperparameters/"
    shown = []
    for number, family in enumerate(analyses.families[:FAMILIES_SHOWN]):
        charts = [{"id": f"family-{number}-{index}", "title": name, "type": "scatter",
                   "x": name, "y": family.outcome or "outcome",
                   "series": [{"label": "runs", "points": [[x, y] for x, y in points]}]}
                  for index, name in enumerate(family.parameters)
                  if len(points := family.numeric(name)[:CHART_POINTS]) >= 2][:PARAMETER_CHARTS]
        shown.append((family, family.parameters[:12], family.runs[:TOP], charts))
    page = _page(site, path, "Hyperparameters", PAGES[2][2], "analyse_hyperparameters.html",
                 with_charts=any(charts for *_, charts in shown), families=shown,
                 total=len(analyses.families))
    return page, _json(path, {"families": [f.as_json() for f in analyses.families]})


def reuse_page(site: SiteContext) -> tuple[GeneratedPage, PublishedFile]:
    analyses = site.analyses
    path = f"{ANALYSE_PATH}reuse/"
    datasets = sorted(analyses.datasets.values(), key=lambda d: (-d.score, d.dataset_id))
    models = sorted(analyses.models.values(),
                    key=lambda m: (-len(m.derived) - len(m.derived_versions), m.model_id))
    cited = sorted(analyses.publications.items(), key=lambda item: (-item[1], item[0]))
    page = _page(site, path, "Reuse", PAGES[3][2], "analyse_reuse.html",
                 datasets=[d for d in datasets if d.score or d.derived_versions][:TOP],
                 models=models[:TOP], cited=cited[:TOP])
    return page, _json(path, {"datasets": [d.as_json() for d in datasets],
                              "models": [m.as_json() for m in models],
                              "related_publications": dict(cited)})


def reproducibility_page(site: SiteContext) -> tuple[GeneratedPage, PublishedFile]:
    analyses = site.analyses
    path = f"{ANALYSE_PATH}reproducibility/"
    reports = list(analyses.reproducibility.values())
    criteria: dict[str, list[int]] = {}
    for report in reports:
        for criterion in report.applicable:
            counts = criteria.setdefault(criterion.title, [0, 0])
            counts[0] += criterion.passed is True
            counts[1] += 1
    lowest = sorted(reports, key=lambda r: (r.score, r.record_id))[:TOP]
    average = sum(r.score for r in reports) / len(reports) if reports else None
    page = _page(site, path, "Reproducibility", PAGES[4][2], "analyse_reproducibility.html",
                 count=len(reports), average=average, criteria=criteria, lowest=lowest,
                 inconsistencies=analyses.inconsistencies[:TOP],
                 inconsistency_total=len(analyses.inconsistencies))
    return page, _json(path, {
        "average_score": average,
        "criteria": {k: {"passed": v[0], "applies": v[1]} for k, v in criteria.items()},
        "reports": [r.as_json() for r in reports],
        "config_inconsistencies": [i._asdict() for i in analyses.inconsistencies]})


def analyse_pages(site: SiteContext) -> tuple[list[GeneratedPage], list[PublishedFile]]:
    """Every Analyse page and the JSON file beside each."""
    pages, files = leaderboard_pages(site)
    for make in (trends_page, hyperparameters_page, reuse_page, reproducibility_page):
        page, published = make(site)
        pages.append(page)
        files.append(published)
    index = {"pages": [{"path": f"{ANALYSE_PATH}{p}", "title": t, "description": d,
                        "data": f"{ANALYSE_PATH}{p}{DATA_FILE}"} for p, t, d in PAGES]}
    pages.append(_page(site, ANALYSE_PATH, "Analyse", "Comparisons across the catalogue",
                       "analyse.html", sections=PAGES,
                       boards=len(site.analyses.leaderboards)))
    files.append(_json(ANALYSE_PATH, index))
    return pages, files
