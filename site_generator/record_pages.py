"""One page per record: what each kind's template is given.

The common part (status notice, files, card, lineage, versions, citation, exports) is built
once in ``record_page``; each kind adds its own sections in a ``<kind>_context`` function.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from markupsafe import Markup

from catalogue.load.artefacts import local_file
from catalogue.model.pointers import ArtefactError
from catalogue.model.records import Record
from catalogue.standards.citations import citation_for, plain_text
from catalogue.standards.jsonld import script_json
from catalogue.standards.urls import doi_url, orcid_url, ror_url
from site_generator import formatting
from site_generator.carbon_view import UtilisationFootprint
from site_generator.downloads import PublishedFile, access, downloads, is_reserved
from site_generator.exports_view import page_exports
from site_generator.facts import (
    band_of,
    carbon_totals,
    column_groups,
    feature_count,
    model_formats,
    place,
)
from site_generator.lineage import lineage_for
from site_generator.listing import COLUMNS
from site_generator.markdown_safety import RenderedCard, read_card, render_card
from site_generator.parity_view import parity_for
from site_generator.related import Overflow, RelatedList
from site_generator.render import SiteContext, render, table_of_contents
from site_generator.site import CHART, MERMAID, GeneratedPage

VERSION_CHAIN_LIMIT = 10
CHART_POINTS = 500
ContextBuilder = Callable[[Record, SiteContext, Overflow], dict[str, Any]]


class UsageRow(NamedTuple):
    experiment_id: str
    position: int
    resource_id: object
    start: object
    duration: object
    nodes: object
    cpu: object
    memory: object
    gpu: object
    footprint: UtilisationFootprint | None
    skipped: str | None


def usage_rows(experiment: Record, site: SiteContext) -> list[UsageRow]:
    rows = []
    for index, usage in enumerate(experiment.items("resource_utilizations")):
        if not isinstance(usage, dict):
            continue
        rows.append(UsageRow(
            experiment.id, index, usage.get("resource"), usage.get("start_time"),
            usage.get("duration_seconds"), usage.get("nodes"),
            usage.get("cpu_utilization_percent"), usage.get("memory_usage_gb"),
            usage.get("gpu_utilization_percent"),
            site.carbon.utilisation(experiment.id, index),
            site.carbon.skipped(experiment.id, index)))
    return rows


def _numbers(values: list[object]) -> list[float]:
    return [float(v) for v in values if isinstance(v, int | float) and formatting.is_number(v)]


def averages(rows: list[UsageRow]) -> dict[str, float | None]:
    """Mean utilisation over the runs that state it, and the total run time."""
    def mean(values: list[object]) -> float | None:
        numbers = _numbers(values)
        return sum(numbers) / len(numbers) if numbers else None

    return {"cpu": mean([r.cpu for r in rows]), "memory": mean([r.memory for r in rows]),
            "gpu": mean([r.gpu for r in rows]),
            "duration": sum(_numbers([r.duration for r in rows])) or None}


def version_chain(record: Record, site: SiteContext) -> list[str]:
    """The versions before this one, newest first (at most ``VERSION_CHAIN_LIMIT``)."""
    chain: list[str] = []
    current = record
    while len(chain) < VERSION_CHAIN_LIMIT:
        parent = current.data.get("parent_version")
        if not isinstance(parent, str) or parent in chain or parent == record.id:
            break
        chain.append(parent)
        next_record = site.catalogue.get(parent)
        if next_record is None:
            break
        current = next_record
    return chain


def _card(record: Record, reserved: set[str]) -> tuple[RenderedCard | None, str | None]:
    text, problem = read_card(record.folder)
    if text is None:
        return None, problem
    card = render_card(text, record.folder, allow_files=record.status != "deleted")
    kept = tuple(f for f in card.files if not is_reserved(f.path, reserved))
    if len(kept) != len(card.files):  # a reserved name: render again without those files
        card = render_card(text, record.folder, allow_files=record.status != "deleted",
                           exclude={f.path for f in card.files} - {f.path for f in kept})
    return card, None


def chart_spec(record: Record) -> list[dict[str, Any]]:
    """One line chart per metric type, with the metrics logged over steps (downsampled)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for metric in record.mappings("metrics"):
        steps = [s for s in metric.get("steps", []) if isinstance(s, dict)
                 and formatting.is_number(s.get("step")) and formatting.is_number(s.get("value"))]
        if not steps:
            continue
        stride = max(1, -(-len(steps) // CHART_POINTS))
        points = [[s["step"], s["value"]] for s in steps[::stride]]
        if points[-1] != [steps[-1]["step"], steps[-1]["value"]]:
            points.append([steps[-1]["step"], steps[-1]["value"]])
        label = str(metric.get("name", "metric"))
        if isinstance(metric.get("split"), str) and metric["split"] not in label:
            label += f" ({metric['split']})"
        groups.setdefault(str(metric.get("metric_type") or "other"), []).append(
            {"label": label, "points": points})
    return [{"id": f"metrics-{kind}", "title": formatting.label(kind), "type": "line",
             "x": "step", "y": formatting.label(kind), "series": series}
            for kind, series in groups.items()]


# -- kinds -----------------------------------------------------------------------------------


def model_context(record: Record, site: SiteContext, overflow: Overflow) -> dict[str, Any]:
    related = site.catalogue.graph.related
    produced_by = overflow.related(record, "produced-by", "Produced by",
                                   related(record.id, "produced_by"))
    experiments = [site.catalogue.get(i) for i in produced_by.ids]
    runs = [row for e in experiments if e is not None for row in usage_rows(e, site)]
    return {
        "formats": model_formats(record),
        "parity": parity_for(record),
        "runs": runs,
        "run_averages": averages(runs),
        "footprint": site.carbon.model(record.id),
        "produced_by": produced_by,
        "training_datasets": overflow.related(record, "training-datasets", "Training datasets",
                                              related(record.id, "training_datasets")),
        "fine_tuned": overflow.related(record, "fine-tuned-models", "Fine-tuned models",
                                       related(record.id, "fine_tuned_models")),
        "fine_tuned_in": overflow.related(record, "fine-tuned-in", "Experiments starting from it",
                                          related(record.id, "fine_tuned_in")),
        "input_json": json.dumps(record.items("input_schema"), indent=2, ensure_ascii=False),
        "output_json": json.dumps(record.items("output_schema"), indent=2, ensure_ascii=False),
    }


def dataset_context(record: Record, site: SiteContext, overflow: Overflow) -> dict[str, Any]:
    related = site.catalogue.graph.related
    roles: dict[str, list[str]] = {}
    for experiment_id in related(record.id, "used_in"):
        experiment = site.catalogue.get(experiment_id)
        for usage in experiment.mappings("datasets") if experiment else []:
            if usage.get("dataset") == record.id and isinstance(usage.get("role"), str):
                roles.setdefault(experiment_id, []).append(usage["role"])
    return {
        "columns": column_groups(record),
        "features": feature_count(record),
        "roles": roles,
        "used_in": overflow.related(record, "used-in", "Experiments that used it",
                                    related(record.id, "used_in")),
        "trained_models": overflow.related(record, "trained-models", "Models trained on it",
                                           related(record.id, "trained_models")),
        "evaluated_models": overflow.related(record, "evaluated-models",
                                             "Models evaluated on it",
                                             related(record.id, "evaluated_models")),
    }


def experiment_context(record: Record, site: SiteContext,
                       overflow: Overflow) -> dict[str, Any]:
    related = site.catalogue.graph.related
    rows = usage_rows(record, site)
    checkpoints, files = downloads(record, site.base_url, field="checkpoints")
    return {
        "runs": rows,
        "run_averages": averages(rows),
        "totals": site.carbon.experiment(record.id),
        "charts": chart_spec(record),
        "checkpoint_downloads": checkpoints,
        "extra_files": files,
        "produced": overflow.related(record, "produced-models", "Produced models",
                                     related(record.id, "produced_models")),
    }


def resource_context(record: Record, site: SiteContext, overflow: Overflow) -> dict[str, Any]:
    data = record.data
    hardware = [
        ("Type", formatting.label(data.get("resource_type"))),
        ("Cluster", data.get("cluster_name")), ("Nodes", data.get("total_nodes")),
        ("Node configuration", data.get("node_configuration")),
        ("Host name", data.get("hostname")),
        ("Provider", formatting.label(data["provider"]) if data.get("provider") else None),
        ("Provider region", data.get("provider_region")),
        ("Instance type", data.get("instance_type")),
        ("CPU", data.get("cpu_model")), ("CPU cores", data.get("cpu_cores")),
        ("CPU power per core", f"{formatting.number(data['cpu_power_watts_per_core'])} W"
         if formatting.is_number(data.get("cpu_power_watts_per_core")) else None),
        ("Memory", formatting.gigabytes(data.get("memory_gb"))
         if data.get("memory_gb") is not None else None),
        ("GPUs", data.get("gpu_count")), ("GPU model", data.get("gpu_model")),
        ("GPU power", f"{formatting.number(data['gpu_power_watts'])} W"
         if formatting.is_number(data.get("gpu_power_watts")) else None),
        ("GPU memory", formatting.gigabytes(data.get("gpu_memory_gb"))
         if data.get("gpu_memory_gb") is not None else None),
        ("Storage", f"{formatting.number(data['storage_tb'])} TB"
         if formatting.is_number(data.get("storage_tb")) else None),
        ("Interconnect", data.get("interconnect_type")), ("Scheduler", data.get("scheduler")),
        ("Maximum job length", formatting.hours(data.get("max_job_duration_hours"))
         if data.get("max_job_duration_hours") is not None else None),
        ("Measured wall power", f"{formatting.number(data['power_consumption_watts'])} W"
         if formatting.is_number(data.get("power_consumption_watts")) else None),
    ]
    return {
        "hardware": [(k, v) for k, v in hardware if v is not None],
        "place": place(data.get("location")),
        "totals": site.carbon.resource(record.id),
        "used_by": overflow.related(record, "used-by", "Experiments that ran on it",
                                    site.catalogue.graph.related(record.id, "used_by")),
    }


def _by_kind(record: Record, site: SiteContext, overflow: Overflow, relation: str,
             titles: dict[str, str]) -> list[RelatedList]:
    ids = site.catalogue.graph.related(record.id, relation)
    lists = []
    for kind, title in titles.items():
        prefix = kind + "/"
        lists.append(overflow.related(record, kind, title,
                                      [i for i in ids if i.startswith(prefix)]))
    return lists


def researcher_context(record: Record, site: SiteContext,
                       overflow: Overflow) -> dict[str, Any]:
    orcid = record.data.get("orcid_id")
    contributions = _by_kind(record, site, overflow, "created", {
        "models": "Models", "datasets": "Datasets", "experiments": "Experiments"})
    return {
        "orcid_url": orcid_url(orcid) if isinstance(orcid, str) else None,
        "contributions": contributions,
        "counts": [(rl.title, rl.total) for rl in contributions],
        "affiliations": overflow.related(record, "affiliations", "Affiliations",
                                         site.catalogue.graph.related(record.id, "affiliations")),
        "totals": site.carbon.researcher(record.id),
    }


def organization_context(record: Record, site: SiteContext,
                         overflow: Overflow) -> dict[str, Any]:
    related = site.catalogue.graph.related
    ror = record.data.get("ror_id")
    published = _by_kind(record, site, overflow, "published", {
        "models": "Models", "datasets": "Datasets", "experiments": "Experiments"})
    members = overflow.related(record, "members", "Members", related(record.id, "members"))
    resources = overflow.related(record, "resources", "Computational resources",
                                 related(record.id, "resources"))
    return {
        "ror_url": ror_url(ror) if isinstance(ror, str) else None,
        "place": place(record.data.get("location")),
        "published": published,
        "members": members,
        "resources": resources,
        "counts": [("Members", members.total), *((rl.title, rl.total) for rl in published),
                   ("Computational resources", resources.total)],
        "sub_organizations": overflow.related(record, "sub-organizations", "Sub-organisations",
                                              related(record.id, "sub_organizations")),
        "totals": site.carbon.organization(record.id),
    }


CONTEXTS: dict[str, ContextBuilder] = {
    "model": model_context, "dataset": dataset_context, "experiment": experiment_context,
    "resource": resource_context, "researcher": researcher_context,
    "organization": organization_context,
}


def evidence_file(record: Record, name: str) -> list[PublishedFile]:
    """The parity report, published beside the page when it is a file inside the folder."""
    try:
        return [PublishedFile(f"{record.id}/{name}", source=local_file(record.folder, name))]
    except ArtefactError:
        return []


def record_date(record: Record) -> str | None:
    return formatting.day(record.data.get("updated_at")) or formatting.day(
        record.data.get("created_at"))


def record_page(record: Record, site: SiteContext,
                overflow: Overflow) -> tuple[GeneratedPage, list[PublishedFile]]:
    """The record's page and the files published beside it."""
    catalogue = site.catalogue
    exports = page_exports(record, site.linked)
    reserved = set(exports.files)
    card, card_problem = _card(record, reserved)
    rows, files = downloads(record, site.base_url, reserved)
    lineage = lineage_for(record, catalogue)
    context = CONTEXTS[record.kind.name](record, site, overflow)
    files += context.pop("extra_files", [])
    parity = context.get("parity")
    if parity is not None and parity.report_file and record.status != "deleted":
        files += evidence_file(record, parity.report_file)
    if card is not None:
        files += [PublishedFile(f"{record.id}/{f.path}", source=f.source) for f in card.files]
    files += [PublishedFile(f"{record.id}/{name}", content=content.encode("utf-8"))
              for name, content in exports.files.items()]
    here = f"{record.id}/"
    pid = record.data.get("persistent_identifier")
    html = render(
        f"{record.kind.name}.html", site, here,
        record=record, data=record.data, access=access(record), downloads=rows, card=card,
        card_problem=card_problem, lineage=lineage,
        mermaid=lineage.mermaid() if lineage else None,
        citation=plain_text(citation_for(record, catalogue)) if record.kind.is_asset else None,
        quality=site.quality.get(record.id),
        exports=exports, exports_json=Markup(script_json(exports.jsonld))
        if exports.jsonld else None, export_names=sorted(exports.files),
        versions=version_chain(record, site),
        next_versions=overflow.related(record, "next-versions", "Newer versions",
                                       catalogue.graph.related(record.id, "next_versions")),
        replaces=overflow.related(record, "replaces", "Records it replaces",
                                  catalogue.graph.related(record.id, "replaces")),
        pid_url=doi_url(pid) if isinstance(pid, str) else None,
        band=band_of(carbon_totals(record, site.carbon), site.carbon),
        **context)
    scripts = {MERMAID} if lineage else set()
    if context.get("charts"):
        scripts.add(CHART)
    search_html = render("search.html", site, here, record=record, data=record.data,
                         card=card, columns=COLUMNS[record.kind.name])
    page = GeneratedPage(
        here, record.title, html, tuple(table_of_contents(html)),
        description=formatting.truncate(record.data.get("description") or record.title, 300),
        date=record_date(record), scripts=frozenset(scripts), search_html=search_html)
    return page, files
