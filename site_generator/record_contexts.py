"""What each kind's page template is given beyond the common part of a record page (see
``record_pages``): one ``<kind>_context`` function per kind, named in the kind's entry of the
site's per-kind table (``site_generator.kind_views``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from catalogue.model.kinds import KINDS
from catalogue.model.records import Record
from catalogue.standards.urls import orcid_url, ror_url
from site_generator import formatting
from site_generator.analyse_view import board_path
from site_generator.carbon_view import UtilisationFootprint
from site_generator.downloads import downloads
from site_generator.facts import column_groups, feature_count, model_formats, place
from site_generator.parity_view import io_rows, parity_for, weights_files
from site_generator.related import Overflow, RelatedList
from site_generator.render import SiteContext
from site_generator.sample_plots import sample_plots

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


# -- per kind --------------------------------------------------------------------------------


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
        "leaderboard_ranks": [(standing, board_path(standing))
                              for standing in site.analyses.ranks.get(record.id, [])],
        "produced_by": produced_by,
        "training_datasets": overflow.related(record, "training-datasets", "Training datasets",
                                              related(record.id, "training_datasets")),
        "fine_tuned": overflow.related(record, "fine-tuned-models", "Fine-tuned models",
                                       related(record.id, "fine_tuned_models")),
        "fine_tuned_in": overflow.related(record, "fine-tuned-in", "Experiments starting from it",
                                          related(record.id, "fine_tuned_in")),
        "io_rows": {"Inputs": io_rows(record, "input_schema"),
                    "Outputs": io_rows(record, "output_schema")},
        "sample_plots": sample_plots(record, site.catalogue.root, site.catalogue.settings),
        "weights_files": weights_files(record, site.catalogue.root, site.catalogue.settings),
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
        "files_title": "Distribution files",
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


def workflow_context(record: Record, site: SiteContext, overflow: Overflow) -> dict[str, Any]:
    """Where the code is and how to run it; the experiments that ran it, with the data they
    used and the models they produced."""
    related = site.catalogue.graph.related
    data = record.data
    runs = related(record.id, "runs")
    environment = data.get("environment_specification")
    in_this_repository = bool(data.get("code_path")) and not data.get("code_repository_url")
    return {
        "environment": environment if isinstance(environment, dict) else {},
        "in_this_repository": in_this_repository,
        "repository_url": data.get("code_repository_url") or (
            site.catalogue.settings.repository_url if in_this_repository else None),
        "experiments": overflow.related(record, "runs", "Runs", runs),
        "run_models": overflow.related(record, "run-models", "Models its runs produced",
                                       [m for e in runs for m in related(e, "produced_models")]),
        "run_datasets": overflow.related(
            record, "run-datasets", "Datasets its runs used",
            [d for e in runs for d in related(e, "datasets")]),
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


def _assets_by_kind(record: Record, site: SiteContext, overflow: Overflow,
                    relation: str) -> list[RelatedList]:
    """The assets related to ``record`` by ``relation``, one list per kind of asset."""
    ids = site.catalogue.graph.related(record.id, relation)
    lists = []
    for kind in KINDS.values():
        if kind.is_asset:
            prefix = kind.folder + "/"
            lists.append(overflow.related(record, kind.folder, kind.plural_label,
                                          [i for i in ids if i.startswith(prefix)]))
    return lists


def researcher_context(record: Record, site: SiteContext,
                       overflow: Overflow) -> dict[str, Any]:
    orcid = record.data.get("orcid_id")
    contributions = _assets_by_kind(record, site, overflow, "created")
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
    published = _assets_by_kind(record, site, overflow, "published")
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
