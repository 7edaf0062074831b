"""The home page and the carbon dashboard: catalogue-wide figures, each table and chart
limited to its top entries so that neither page grows with the catalogue."""

from __future__ import annotations

from typing import Any, NamedTuple

from markupsafe import Markup

from catalogue.model.kinds import KINDS
from catalogue.model.lifecycle import DELETED
from catalogue.standards.jsonld import script_json
from site_generator import formatting
from site_generator.carbon_view import Totals
from site_generator.exports_view import home_head
from site_generator.kind_views import VIEWS
from site_generator.render import SiteContext, render, table_of_contents
from site_generator.site import CHART, GeneratedPage
from site_generator.site_files import CATALOGUE_FILES

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
    records = [r for r in site.catalogue.of_kind(kind) if r.status != DELETED]
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
                  jsonld=Markup(script_json(site.linked.data_catalog(limit=HOME_DATASETS))),
                  machine_files=CATALOGUE_FILES)
    return GeneratedPage("", settings.title, html, tuple(table_of_contents(html)),
                         description=formatting.truncate(settings.description, 300),
                         date=_latest(site), head=home_head(site.linked))


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


DEFAULT_NAMES: dict[str, tuple[str, str]] = {
    "pue": ("Power usage effectiveness (PUE) of a data centre or cloud", ""),
    "pue_local": ("PUE of a workstation or laptop", ""),
    "pue_by_provider": ("PUE of each cloud provider", ""),
    "pue_uncertainty": ("Uncertainty of a PUE", "\u00b1 share"),
    "cpu_power_watts_per_core": ("Power of a CPU core, when the resource does not say", "W"),
    "gpu_power_watts": ("Power of a GPU, when the resource does not say", "W"),
    "memory_power_watts_per_gb": ("Power of memory", "W per GB"),
    "unknown_utilisation_low_percent": (
        "Lowest utilisation assumed when a run does not record it", "%"),
    "utilisation_tolerance_points": ("Uncertainty of a recorded utilisation",
                                     "\u00b1 percentage points"),
    "world_intensity_gco2_per_kwh": ("Grid carbon intensity when the place is unknown",
                                     "g CO\u2082e per kWh"),
    "world_intensity_uncertainty": ("Uncertainty of a grid carbon intensity", "\u00b1 share"),
    "intensity_drift_per_year": ("Change of a grid's intensity per year away from its data",
                                 "share per year"),
    "intensity_max_uncertainty": ("Largest uncertainty of a grid carbon intensity", "share"),
    "unknown_run_year_gap": ("Years between a run of unknown date and the intensity data",
                             "years"),
    "threshold_kg": ("Footprints above this are flagged", "kg CO\u2082e"),
    "medium_from_kg": ("Medium impact from", "kg CO\u2082e"),
    "high_from_kg": ("High impact from", "kg CO\u2082e"),
}
"""How the carbon method's defaults read on the dashboard (name for people, unit); a default
not listed shows its name as a label."""


class MethodDefault(NamedTuple):
    name: str
    unit: str
    value: Any
    source: str


def method_defaults(site: SiteContext) -> list[MethodDefault]:
    rows = []
    for key, entry in site.carbon.report.defaults.as_json().items():
        name, unit = DEFAULT_NAMES.get(key, (formatting.label(key), ""))
        value = entry["value"]
        if isinstance(value, dict):
            value = ", ".join(f"{formatting.label(k)} {formatting.number(v)}"
                              for k, v in sorted(value.items()))
        rows.append(MethodDefault(name, unit, value, str(entry["source"])))
    return rows


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
        defaults=report.defaults, method=method_defaults(site))
    return GeneratedPage("carbon/", "Carbon dashboard", html, tuple(table_of_contents(html)),
                         description="Energy and carbon of the catalogue's experiments",
                         date=_latest(site), scripts=frozenset({CHART}))
