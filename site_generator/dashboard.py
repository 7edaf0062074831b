"""The home page and the carbon dashboard: catalogue-wide figures, each table and chart
limited to its top entries so that neither page grows with the catalogue."""

from __future__ import annotations

from typing import Any, NamedTuple

from markupsafe import Markup

from catalogue.model.kinds import KINDS
from catalogue.standards.jsonld import script_json
from site_generator import formatting
from site_generator.carbon_view import Totals
from site_generator.kind_views import VIEWS
from site_generator.render import SiteContext, render, table_of_contents
from site_generator.site import CHART, GeneratedPage

RECENT = 5
TOP = 15
TABLE_TOP = 25
SKIPPED_SHOWN = 20


class Ranked(NamedTuple):
    record_id: str | None
    name: str
    totals: Totals


def _latest(site: SiteContext) -> str | None:
    dates = [d for r in site.catalogue.records.values()
             for d in (formatting.day(r.data.get("updated_at")),
                       formatting.day(r.data.get("created_at"))) if d]
    return max(dates) if dates else None


def recent(site: SiteContext, kind: str, count: int = RECENT) -> list[str]:
    """The newest records of a kind by ``created_at`` (then id, for a stable order)."""
    records = [r for r in site.catalogue.of_kind(kind) if r.status != "deleted"]
    records.sort(key=lambda r: (formatting.day(r.data.get("created_at")) or "", r.id),
                 reverse=True)
    return [r.id for r in records[:count]]


HOME_DATASETS = 100
"""The home page's DataCatalog names the newest datasets; catalogue.jsonld names them all."""


def home_page(site: SiteContext) -> GeneratedPage:
    settings = site.catalogue.settings
    html = render("home.html", site, "", settings=settings, kinds=list(KINDS.values()),
                  recent={k: recent(site, k) for k, view in VIEWS.items() if view.recent},
                  views=VIEWS,
                  total=site.carbon.total,
                  jsonld=Markup(script_json(site.linked.data_catalog(limit=HOME_DATASETS))))
    return GeneratedPage("", settings.title, html, tuple(table_of_contents(html)),
                         description=formatting.truncate(settings.description, 300),
                         date=_latest(site))


def ranked(site: SiteContext, table: dict[str, Totals], limit: int) -> list[Ranked]:
    rows = sorted(table.items(), key=lambda item: (-item[1].kg, item[0]))
    shown = [Ranked(i, site.carbon.name(i), t) for i, t in rows[:limit]]
    rest = [t for _, t in rows[limit:]]
    if rest:
        others = Totals()
        for totals in rest:
            for name in ("kwh", "kwh_low", "kwh_high", "kg", "kg_low", "kg_high",
                         "measured_kwh", "hours"):
                setattr(others, name, getattr(others, name) + getattr(totals, name))
            others.runs += totals.runs
        shown.append(Ranked(None, f"{len(rest)} others", others))
    return shown


def bar_chart(chart_id: str, title: str, rows: list[Ranked]) -> dict[str, Any]:
    return {"id": chart_id, "title": title, "type": "bar", "horizontal": len(rows) > 6,
            "labels": [formatting.truncate(r.name, 40) for r in rows],
            "unit": "kg CO\u2082e",
            "series": [{"label": "kg CO\u2082e", "values": [round(r.totals.kg, 4) for r in rows]},
                       {"label": "low", "values": [round(r.totals.kg_low, 4) for r in rows],
                        "hidden": True},
                       {"label": "high", "values": [round(r.totals.kg_high, 4) for r in rows],
                        "hidden": True}]}


def carbon_page(site: SiteContext) -> GeneratedPage:
    report = site.carbon.report
    years = [Ranked(None, year, totals) for year, totals in site.carbon.years().items()]
    organizations = ranked(site, report.organizations, TOP)
    resources = ranked(site, report.resources, TOP)
    charts = [
        bar_chart("carbon-organizations", "By organisation", organizations),
        bar_chart("carbon-resources", "By computational resource", resources),
        {**bar_chart("carbon-years", "By year", years[-50:]), "horizontal": False},
    ]
    models = {i: m.cumulative for i, m in report.models.items() if m.cumulative.runs}
    html = render(
        "carbon.html", site, "carbon/", total=site.carbon.total, charts=charts,
        organizations=ranked(site, report.organizations, TABLE_TOP),
        resources=ranked(site, report.resources, TABLE_TOP),
        experiments=ranked(site, report.experiments, TABLE_TOP),
        models=ranked(site, models, TABLE_TOP), years=years,
        skipped=report.skipped[:SKIPPED_SHOWN], skipped_total=len(report.skipped),
        defaults=report.defaults)
    return GeneratedPage("carbon/", "Carbon dashboard", html, tuple(table_of_contents(html)),
                         description="Energy and carbon of the catalogue's experiments",
                         date=_latest(site), scripts=frozenset({CHART}))
