"""The lineage of an asset as a Mermaid flowchart: data and workflow -> experiment -> model ->
fine-tuned model, with versions and replacements. Which graph a kind gets (a ``Builder`` here)
and how its records look in any graph (a ``NodeStyle``) is its entry in the site's per-kind
table (``site_generator.kind_views``).

The graph is the asset's neighbourhood, not the whole catalogue: each relation shows at most
``PER_RELATION`` records (a "+N more" node stands for the rest, which the page lists in full)
and the graph stops at ``MAX_NODES``, so its size does not grow with the catalogue.

Labels come from records, so they are reduced to letters, digits, spaces and a little
punctuation before they go into the diagram's text: nothing in a title can close a label,
start a Mermaid statement or directive, or be read as HTML. Mermaid runs with its default
``securityLevel: "strict"`` (Material does not change it), so diagrams cannot hold clicks or
HTML either; the page lists every node as a link next to the graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from catalogue.link.catalogue import Catalogue
from catalogue.model.records import Record

PER_RELATION = 6
MAX_NODES = 40
LABEL_LENGTH = 48
_UNSAFE = re.compile(r"[^\w .,:()/+'-]+", re.UNICODE)
_UNSAFE_EDGE = re.compile(r"[^A-Za-z0-9 ,-]+")
MORE = "more"


class NodeStyle(NamedTuple):
    """How the records of a kind are drawn: the Mermaid shape around the label, and the colour
    of the outline (none: the theme's)."""

    open: str
    close: str
    colour: str | None = None


PLAIN = NodeStyle('["', '"]')
MORE_STYLE = NodeStyle('{{"', '"}}')


def mermaid_text(text: str, limit: int = LABEL_LENGTH, unsafe: re.Pattern[str] = _UNSAFE) -> str:
    """``text`` made harmless inside a quoted Mermaid label."""
    cleaned = " ".join(unsafe.sub(" ", text.replace("_", " ")).split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "..."
    return cleaned or "untitled"


class Node(NamedTuple):
    key: str
    record_id: str | None
    kind: str
    title: str
    current: bool = False


class Edge(NamedTuple):
    source: str
    target: str
    label: str
    dashed: bool = False


@dataclass
class Lineage:
    catalogue: Catalogue
    styles: Mapping[str, NodeStyle]
    """Per kind, how its nodes are drawn."""
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False

    def node(self, record_id: str, current: bool = False) -> str | None:
        """The node's key (adding the node), or None when the graph is full."""
        key = f"n{record_id.replace('/', '_').replace('-', '_')}"
        if key in self.nodes:
            return key
        record = self.catalogue.get(record_id)
        if record is None:
            return None
        if len(self.nodes) >= MAX_NODES:
            self.truncated = True
            return None
        version = record.data.get("version")
        title = record.title + (f" v{version}" if isinstance(version, str) else "")
        self.nodes[key] = Node(key, record_id, record.kind.name, title, current)
        return key

    def edge(self, source: str | None, target: str | None, label: str,
             dashed: bool = False) -> None:
        if source and target and source != target:
            edge = Edge(source, target, label, dashed)
            if not any(e.source == source and e.target == target for e in self.edges):
                self.edges.append(edge)

    def link_many(self, anchor: str | None, ids: list[str], label: str, *, outgoing: bool,
                  dashed: bool = False) -> list[str]:
        """Edges between ``anchor`` and the first ``PER_RELATION`` of ``ids`` (and a "+N more"
        node); returns the keys of the nodes added."""
        keys = []
        for record_id in ids[:PER_RELATION]:
            key = self.node(record_id)
            if key is None:
                continue
            keys.append(key)
            self._link(anchor, key, label, outgoing, dashed)
        self.more(anchor, len(ids) - PER_RELATION, label, outgoing=outgoing, dashed=dashed)
        return keys

    def more(self, anchor: str | None, count: int, label: str, *, outgoing: bool,
             dashed: bool = False) -> None:
        """A "+N more" node for the ``count`` records of a relation left out of the graph."""
        if count <= 0 or anchor is None:
            return
        key = f"more{len(self.nodes)}"
        self.nodes[key] = Node(key, None, MORE, f"+{count} more")
        self._link(anchor, key, label, outgoing, dashed)

    def _link(self, anchor: str | None, other: str, label: str, outgoing: bool,
              dashed: bool) -> None:
        if outgoing:
            self.edge(anchor, other, label, dashed)
        else:
            self.edge(other, anchor, label, dashed)

    def mermaid(self) -> str:
        lines = ["flowchart LR"]
        styles = {**self.styles, MORE: MORE_STYLE}
        for node in self.nodes.values():
            style = styles.get(node.kind, PLAIN)
            lines.append(f"  {node.key}{style.open}{mermaid_text(node.title)}{style.close}")
        for edge in self.edges:
            arrow = "-.->" if edge.dashed else "-->"
            label = mermaid_text(edge.label, 30, _UNSAFE_EDGE)
            lines.append(f"  {edge.source} {arrow}|{label}| {edge.target}")
        coloured = [kind for kind, style in styles.items() if style.colour]
        for kind in [*coloured, MORE]:
            keys = [n.key for n in self.nodes.values() if n.kind == kind]
            if keys:
                lines.append(f"  class {','.join(keys)} omh{kind}")
        current = [n.key for n in self.nodes.values() if n.current]
        if current:
            lines.append(f"  class {','.join(current)} omhcurrent")
        lines += [f"  classDef omh{kind} stroke:{styles[kind].colour},stroke-width:2px"
                  for kind in coloured]
        lines += [
            "  classDef omhmore stroke-dasharray:4 3",
            "  classDef omhcurrent stroke-width:4px",
        ]
        return "\n".join(lines) + "\n"

    def linked_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.record_id is not None]


def _dataset_roles(experiment: Record) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {}
    for usage in experiment.mappings("datasets"):
        dataset, role = usage.get("dataset"), usage.get("role")
        if isinstance(dataset, str):
            names = roles.setdefault(dataset, [])
            if isinstance(role, str) and role not in names:
                names.append(role)
    return roles


def _experiment_inputs(graph: Lineage, experiment: Record, key: str | None) -> None:
    roles = _dataset_roles(experiment)
    for dataset_id in list(roles)[:PER_RELATION]:
        graph.edge(graph.node(dataset_id), key, ", ".join(roles[dataset_id]) or "used")
    base = experiment.data.get("base_model")
    if isinstance(base, str):
        graph.edge(graph.node(base), key, "base model")
    workflow = experiment.data.get("workflow")
    if isinstance(workflow, str):
        graph.edge(graph.node(workflow), key, "ran")


def _versions(graph: Lineage, record: Record, key: str | None) -> None:
    related = graph.catalogue.graph.related
    parent = record.data.get("parent_version")
    if isinstance(parent, str):
        graph.edge(graph.node(parent), key, "next version", dashed=True)
    graph.link_many(key, related(record.id, "next_versions"), "next version", outgoing=True,
                    dashed=True)
    replaced = record.data.get("replaced_by")
    if isinstance(replaced, str):
        graph.edge(key, graph.node(replaced), "replaced by", dashed=True)


def model_lineage(graph: Lineage, model: Record, key: str | None) -> None:
    related = graph.catalogue.graph.related
    for experiment_id in related(model.id, "produced_by")[:PER_RELATION]:
        experiment = graph.catalogue.get(experiment_id)
        exp_key = graph.node(experiment_id)
        graph.edge(exp_key, key, "produced")
        if experiment is not None:
            _experiment_inputs(graph, experiment, exp_key)
    reached = {n.record_id for n in graph.nodes.values()}
    trained = [d for d in related(model.id, "training_datasets") if d not in reached]
    graph.link_many(key, trained, "trained on", outgoing=False)
    base = model.data.get("base_model")
    if isinstance(base, str) and base not in reached:
        graph.edge(graph.node(base), key, "fine-tuned")
    graph.link_many(key, related(model.id, "fine_tuned_models"), "fine-tuned", outgoing=True)


def dataset_lineage(graph: Lineage, dataset: Record, key: str | None) -> None:
    related = graph.catalogue.graph.related
    for experiment_id in related(dataset.id, "used_in")[:PER_RELATION]:
        experiment = graph.catalogue.get(experiment_id)
        if experiment is None:
            continue
        exp_key = graph.node(experiment_id)
        graph.edge(key, exp_key, ", ".join(_dataset_roles(experiment).get(dataset.id, [])) or
                   "used")
        graph.link_many(exp_key, related(experiment_id, "produced_models"), "produced",
                        outgoing=True)
    graph.more(key, len(related(dataset.id, "used_in")) - PER_RELATION, "used", outgoing=True)
    reached = {n.record_id for n in graph.nodes.values()}
    graph.link_many(key, [m for m in related(dataset.id, "trained_models") if m not in reached],
                    "trained", outgoing=True)
    reached = {n.record_id for n in graph.nodes.values()}
    graph.link_many(key, [m for m in related(dataset.id, "evaluated_models")
                          if m not in reached], "evaluated", outgoing=True, dashed=True)


def experiment_lineage(graph: Lineage, experiment: Record, key: str | None) -> None:
    related = graph.catalogue.graph.related
    _experiment_inputs(graph, experiment, key)
    for model_key in graph.link_many(key, related(experiment.id, "produced_models"), "produced",
                                     outgoing=True):
        model_id = graph.nodes[model_key].record_id
        if model_id:
            graph.link_many(model_key, related(model_id, "fine_tuned_models"), "fine-tuned",
                            outgoing=True)


def workflow_lineage(graph: Lineage, workflow: Record, key: str | None) -> None:
    """The runs of the workflow, with their data, and the models they produced."""
    related = graph.catalogue.graph.related
    runs = related(workflow.id, "runs")
    for experiment_id in runs[:PER_RELATION]:
        experiment = graph.catalogue.get(experiment_id)
        exp_key = graph.node(experiment_id)
        graph.edge(key, exp_key, "ran")
        if experiment is not None:
            _experiment_inputs(graph, experiment, exp_key)
            graph.link_many(exp_key, related(experiment_id, "produced_models"), "produced",
                            outgoing=True)
    graph.more(key, len(runs) - PER_RELATION, "ran", outgoing=True)


Builder = Callable[[Lineage, Record, str | None], None]


def lineage_for(record: Record, catalogue: Catalogue, build: Builder | None,
                styles: Mapping[str, NodeStyle]) -> Lineage | None:
    """The record's lineage graph drawn by ``build``, or None for a kind without one
    (``build`` None) or a record with no links."""
    if build is None:
        return None
    graph = Lineage(catalogue, styles)
    key = graph.node(record.id, current=True)
    build(graph, record, key)
    _versions(graph, record, key)
    return graph if graph.edges else None
