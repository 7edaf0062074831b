"""The site's per-kind table: for every kind of record, its page (template and what the template
is given), the columns of its list (also a search result's key facts), its search facets, its
lineage graph and how its records look in any graph, the line under it in the home page's
recent additions, and the fields of its entry in the JSON API.

A kind added to ``catalogue.model.kinds.KINDS`` without an entry here stops the site from
being imported, naming the kind (``per_kind``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from markupsafe import Markup

from catalogue.link.catalogue import Catalogue
from catalogue.model.kinds import per_kind
from catalogue.model.records import Record
from site_generator import columns as c
from site_generator import formatting
from site_generator.columns import Cell, Column
from site_generator.lineage import (
    Builder,
    Lineage,
    NodeStyle,
    dataset_lineage,
    experiment_lineage,
    lineage_for,
    model_lineage,
    workflow_lineage,
)
from site_generator.parity_view import NOT_APPLICABLE, parity_for
from site_generator.record_contexts import (
    ContextBuilder,
    dataset_context,
    experiment_context,
    model_context,
    organization_context,
    researcher_context,
    resource_context,
    workflow_context,
)
from site_generator.render import Links, SiteContext

FacetValues = Callable[[Record, SiteContext], list[tuple[str, str | None]]]
PARITY_LABELS = {
    "passed": "Passed", "failed": "Failed", "stale": "Stale evidence",
    "invalid": "Unreadable evidence", "no-evidence": "No evidence",
}


class KindView(NamedTuple):
    template: str
    """The page template (in ``templates/``), extending ``record.html``."""
    context: ContextBuilder
    """What the template is given beyond the common part of a record page."""
    columns: tuple[Column, ...]
    """The list page's columns, the name first; the others are a search result's facts."""
    facets: FacetValues
    """The kind's own search facets, as (facet key, value); the common ones (kind, licence,
    organisation, access, status, year, carbon) every record has."""
    lineage: Builder | None
    """The graph on a record's page; None for a kind without one."""
    node: NodeStyle
    """How its records are drawn in any lineage graph (the colour of their outline)."""
    recent: Cell | None
    """The line under each of its newest records on the home page; None: not listed there."""
    api_fields: tuple[str, ...]
    """The fields of a record's entry in ``api/<kind folder>.json``, beyond id, name, status
    and the lifecycle dates every entry has."""


def _label(value: object) -> str | None:
    return formatting.label(value) if isinstance(value, str) and value.strip() else None


def no_facets(record: Record, site: SiteContext) -> list[tuple[str, str | None]]:
    return []


def model_facets(record: Record, site: SiteContext) -> list[tuple[str, str | None]]:
    data = record.data
    parity = parity_for(record).status
    return [("task", _label(data.get("task"))), ("type", _label(data.get("model_type"))),
            ("framework", _label(data.get("framework"))),
            ("parity", PARITY_LABELS.get(parity) if parity != NOT_APPLICABLE else None)]


def dataset_facets(record: Record, site: SiteContext) -> list[tuple[str, str | None]]:
    return [("format", _label(record.data.get("format")))]


def workflow_facets(record: Record, site: SiteContext) -> list[tuple[str, str | None]]:
    language = record.data.get("programming_language")
    return [("language", language if isinstance(language, str) else None)]


def _joined(*cells: Cell) -> Cell:
    """The cells' values that are not empty, separated by a middle dot."""
    def cell(record: Record, site: SiteContext, links: Links) -> Markup:
        values = [str(v) if not isinstance(v, Markup) else v
                  for v in (each(record, site, links) for each in cells)
                  if v not in (None, "", formatting.DASH)]
        return Markup(" &middot; ").join(values)
    return cell


def _records_count(record: Record, site: SiteContext, links: Links) -> str | None:
    count = record.data.get("num_records")
    return f"{formatting.number(count)} records" if formatting.is_number(count) else None


VIEWS: dict[str, KindView] = per_kind("site pages", {
    "model": KindView(
        "model.html", model_context,
        (Column("Model", c.name), Column("Framework", c.field("framework")),
         Column("Type", c.field("model_type")), Column("Format", c.formats),
         Column("Size", c.size, True), Column("Licence", c.field("license", str)),
         Column("Organisation", c.organization), Column("Training carbon", c.band)),
        model_facets, model_lineage, NodeStyle("#3f51b5"),
        c.field("framework"), ("framework", "model_type")),
    "dataset": KindView(
        "dataset.html", dataset_context,
        (Column("Dataset", c.name), Column("Format", c.field("format")),
         Column("Records", c.field("num_records", formatting.number), True),
         Column("Size", c.size, True), Column("Licence", c.field("license", str)),
         Column("Access", c.field("access_rights")), Column("Organisation", c.organization)),
        dataset_facets, dataset_lineage, NodeStyle("#00897b"),
        _joined(c.field("format"), _records_count), ("format",)),
    "experiment": KindView(
        "experiment.html", experiment_context,
        (Column("Experiment", c.name), Column("Type", c.field("experiment_type")),
         Column("Run status", c.field("experiment_status")),
         Column("Duration", c.field("duration_seconds", formatting.duration), True),
         Column("Energy", c.energy, True), Column("Carbon", c.band),
         Column("Organisation", c.organization)),
        no_facets, experiment_lineage, NodeStyle("#ef6c00"),
        _joined(c.field("experiment_type"), c.field("experiment_status")),
        ("experiment_type",)),
    "workflow": KindView(
        "workflow.html", workflow_context,
        (Column("Workflow", c.name), Column("Type", c.field("workflow_type")),
         Column("Language", c.text("programming_language")),
         Column("Runs", c.count("runs"), True), Column("Licence", c.field("license", str)),
         Column("Organisation", c.organization)),
        workflow_facets, workflow_lineage, NodeStyle("#8e24aa"),
        _joined(c.text("programming_language"), c.field("workflow_type")),
        ("workflow_type", "programming_language")),
    "resource": KindView(
        "resource.html", resource_context,
        (Column("Resource", c.name), Column("Type", c.field("resource_type")),
         Column("Location", c.location),
         Column("GPUs", c.field("gpu_count", formatting.number), True),
         Column("Experiments", c.count("used_by"), True), Column("Energy", c.energy, True),
         Column("Carbon", c.band)),
        no_facets, None, NodeStyle(), None, ("resource_type",)),
    "researcher": KindView(
        "researcher.html", researcher_context,
        (Column("Researcher", c.name), Column("Affiliations", c.affiliations),
         Column("Assets", c.count("created"), True)),
        no_facets, None, NodeStyle(), None, ()),
    "organization": KindView(
        "organization.html", organization_context,
        (Column("Organisation", c.name), Column("Type", c.field("organization_type")),
         Column("Location", c.location), Column("Members", c.count("members"), True),
         Column("Assets", c.count("published"), True)),
        no_facets, None, NodeStyle(), None, ("organization_type",)),
})

NODE_STYLES = {kind: view.node for kind, view in VIEWS.items()}


def lineage_graph(record: Record, catalogue: Catalogue) -> Lineage | None:
    """The lineage graph on the record's page (None for a kind without one, or no links)."""
    return lineage_for(record, catalogue, VIEWS[record.kind.name].lineage, NODE_STYLES)
