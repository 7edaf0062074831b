"""The lineage of an asset as a graph: data and workflow -> experiment -> model -> fine-tuned
model, with versions and replacements, drawn at build time as a static SVG (no script: the
page weighs a few kilobytes more, where a diagram library in the browser weighed a megabyte).
Which graph a kind gets (a ``Builder`` here) and how its records look in any graph (a
``NodeStyle``) is its entry in the site's per-kind table (``site_generator.kind_views``).

The graph is the asset's neighbourhood, not the whole catalogue: each relation shows at most
``PER_RELATION`` records (a "+N more" node stands for the rest, which the page lists in full)
and the graph stops at ``MAX_NODES``, so its size does not grow with the catalogue.

The layout is grandalf's Sugiyama layering, left to right. Every text in the drawing comes from
a record and is escaped; every node that is a record links to its page.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from markupsafe import Markup

from catalogue.link.catalogue import Catalogue
from catalogue.model.records import Record
from site_generator.formatting import markup

PER_RELATION = 6
MAX_NODES = 40
LABEL_LENGTH = 48
LINE_LENGTH = 26
CHAR_WIDTH = 6.8
"""Average advance of a character of the 12 px sans-serif label font, for sizing boxes."""
NODE_PADDING = 12
NODE_MIN_WIDTH = 96
LINE_HEIGHT = 15
LAYER_GAP = 88
NODE_GAP = 18
MARGIN = 8
MORE = "more"


class NodeStyle(NamedTuple):
    """How the records of a kind are drawn: the colour of the outline (none: the theme's)."""

    colour: str | None = None


PLAIN = NodeStyle()


def label_lines(text: str) -> list[str]:
    """The label, shortened to ``LABEL_LENGTH`` and wrapped to lines of ``LINE_LENGTH``."""
    cleaned = " ".join(text.split())
    if len(cleaned) > LABEL_LENGTH:
        cleaned = cleaned[: LABEL_LENGTH - 1].rstrip() + "\u2026"
    return textwrap.wrap(cleaned, LINE_LENGTH, break_long_words=True) or ["untitled"]


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

    def linked_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.record_id is not None]

    def svg(self, url_of: Callable[[str], str | None], title: str) -> Markup:
        """The graph drawn left to right, each record's node a link to ``url_of(record_id)``."""
        return draw(self, url_of, title)


# -- drawing ---------------------------------------------------------------------------------


class _Box:
    """A node's size as grandalf's top-down layout sees it (``w`` along a layer, ``h`` across
    layers): the drawing is turned a quarter, so a box's height is its ``w``."""

    def __init__(self, width: float, height: float) -> None:
        self.w, self.h = height, width
        self.xy = (0.0, 0.0)


class _Route:
    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []

    def setpath(self, points: list[tuple[float, float]]) -> None:
        self.points = [(float(x), float(y)) for x, y in points]


class _Placed(NamedTuple):
    node: Node
    lines: list[str]
    x: float
    y: float
    width: float
    height: float


EDGE_LABEL_LENGTH = 22
BOLD = 1.12
"""How much wider the current record's bold label runs."""


def _size(node: Node) -> tuple[list[str], float, float]:
    lines = label_lines(node.title)
    width = max(NODE_MIN_WIDTH, max(len(line) for line in lines) * CHAR_WIDTH
                * (BOLD if node.current else 1) + 2 * NODE_PADDING)
    kind_line = 0 if node.kind == MORE else 1
    return lines, round(width), (len(lines) + kind_line) * LINE_HEIGHT + NODE_PADDING


Route = list[tuple[float, float]]


def _layout(graph: Lineage) -> tuple[dict[str, _Placed], list[tuple[Edge, Route]]]:
    """Positions (top-left corners, left to right) of the nodes and the points of each edge;
    separate pieces of the graph one below the other."""
    keys = list(graph.nodes)
    sizes = [_size(graph.nodes[key]) for key in keys]
    index = {key: number for number, key in enumerate(keys)}
    edges = [edge for edge in graph.edges if edge.source in index and edge.target in index]
    corners, routes = _positions(tuple((width, height) for _, width, height in sizes),
                                 tuple((index[e.source], index[e.target]) for e in edges))
    placed = {keys[number]: _Placed(graph.nodes[keys[number]], sizes[number][0], x, y,
                                    sizes[number][1], sizes[number][2])
              for number, (x, y) in corners}
    return placed, [(edges[number], list(points)) for number, points in routes]


Corners = tuple[tuple[int, tuple[float, float]], ...]
Routes = tuple[tuple[int, tuple[tuple[float, float], ...]], ...]


@functools.lru_cache(maxsize=4096)
def _positions(sizes: tuple[tuple[float, float], ...],
               edges: tuple[tuple[int, int], ...]) -> tuple[Corners, Routes]:
    """``_layout``'s figures for nodes of these sizes (by number) joined by these edges (pairs
    of numbers): the same for every graph of that shape, which a catalogue's pages draw many
    times over (a model trained on one dataset by one experiment). grandalf's layout depends on
    nothing else: every node by number, its top-left corner; every edge by number, its points."""
    # grandalf brings numpy: imported by the builds that draw, not by every build.
    from grandalf.graphs import Edge as LayoutEdge
    from grandalf.graphs import Vertex, graph_core
    from grandalf.layouts import SugiyamaLayout
    from grandalf.routing import route_with_lines

    vertices = []
    for number, (width, height) in enumerate(sizes):
        vertex = Vertex(number)
        vertex.view = _Box(width, height)
        vertices.append(vertex)
    layout_edges = []
    for source, target in edges:
        layout_edge = LayoutEdge(vertices[source], vertices[target])
        layout_edge.view = _Route()
        layout_edges.append(layout_edge)
    corners: dict[int, tuple[float, float]] = {}
    routes: list[tuple[int, list[tuple[float, float]]]] = []
    offset = 0.0
    for members, joined in _pieces(len(sizes), edges):
        component = graph_core([vertices[n] for n in members],
                               [layout_edges[n] for n in joined])
        sugiyama = SugiyamaLayout(component)
        sugiyama.xspace, sugiyama.yspace = NODE_GAP, LAYER_GAP
        sugiyama.route_edge = route_with_lines
        sugiyama.init_all()
        sugiyama.draw(3)
        low = min(v.view.xy[0] - v.view.w / 2 for v in component.sV)
        high = max(v.view.xy[0] + v.view.w / 2 for v in component.sV)
        shift = offset - low
        for vertex in component.sV:
            width, height = sizes[vertex.data]
            corners[vertex.data] = (vertex.view.xy[1] - width / 2,
                                    vertex.view.xy[0] + shift - height / 2)
        for number in joined:
            points = layout_edges[number].view.points
            routes.append((number, [(y, x + shift) for x, y in points]))
        offset += high - low + NODE_GAP
    left = min(x for x, _ in corners.values()) - MARGIN
    top = min(y for _, y in corners.values()) - MARGIN
    return (tuple((number, (x - left, y - top)) for number, (x, y) in corners.items()),
            tuple((number, tuple((x - left, y - top) for x, y in points))
                  for number, points in routes))


def _pieces(count: int, edges: tuple[tuple[int, int], ...]
            ) -> list[tuple[list[int], list[int]]]:
    """The connected pieces of the graph, as grandalf's ``Graph`` finds them (a piece absorbs
    the other's nodes where an edge joins them, in edge order), each with its nodes and its
    edges by number, in order. ``Graph`` gives a piece its edges as a ``set``, whose order
    follows memory addresses: the same graph was laid out differently from one run to the
    next."""
    nodes: dict[int, list[int]] = {number: [number] for number in range(count)}
    piece = list(range(count))
    for source, target in edges:
        kept, joined = piece[source], piece[target]
        if kept != joined:
            moved = nodes.pop(joined)
            nodes[kept].extend(moved)
            for number in moved:
                piece[number] = kept
    return [(members, [n for n, (source, _) in enumerate(edges) if piece[source] == first])
            for first, members in nodes.items()]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _path(points: list[tuple[float, float]]) -> str:
    """A smooth left-to-right curve through the points."""
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{_number(x0)} {_number(y0)}"]
    for x1, y1 in rest:
        middle = (x0 + x1) / 2
        parts.append(f"C{_number(middle)} {_number(y0)} {_number(middle)} {_number(y1)} "
                     f"{_number(x1)} {_number(y1)}")
        x0, y0 = x1, y1
    return " ".join(parts)


def draw(graph: Lineage, url_of: Callable[[str], str | None], title: str) -> Markup:
    placed, routes = _layout(graph)
    width = max(p.x + p.width for p in placed.values()) + MARGIN
    height = max(p.y + p.height for p in placed.values()) + MARGIN
    styles = dict(graph.styles)
    out = [markup('<svg class="omh-lineage__graph" xmlns="http://www.w3.org/2000/svg" '
                  'viewBox="0 0 {0} {1}" width="{0}" height="{1}" role="img">'
                  '<title>{2}</title>'
                  '<defs><marker id="omh-lineage-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
                  'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                  '<path d="M0 0L10 5L0 10z"/></marker></defs>',
        _number(width), _number(height), title)]
    for edge, points in routes:
        if len(points) < 2:
            continue
        middle = points[len(points) // 2 - 1], points[len(points) // 2]
        label_x = (middle[0][0] + middle[1][0]) / 2
        label_y = (middle[0][1] + middle[1][1]) / 2
        out.append(markup('<g class="omh-lineage__edge{0}"><path d="{1}" '
                          'marker-end="url(#omh-lineage-arrow)"/>'
                          '<text x="{2}" y="{3}">{4}</text></g>',
            " omh-lineage__edge--dashed" if edge.dashed else "", _path(points),
            _number(label_x), _number(label_y - 4),
            edge.label if len(edge.label) <= EDGE_LABEL_LENGTH
            else edge.label[:EDGE_LABEL_LENGTH - 1].rstrip(" ,") + "\u2026"))
    for key in graph.nodes:
        box = placed[key]
        node = box.node
        classes = f"omh-lineage__node omh-lineage__node--{node.kind}" + (
            " omh-lineage__node--current" if node.current else "")
        colour = styles.get(node.kind, PLAIN).colour
        text = [markup('<text x="{}" y="{}">', _number(box.x + NODE_PADDING),
                                                       _number(box.y + NODE_PADDING / 2))]
        if node.kind != MORE:
            text.append(markup('<tspan class="omh-lineage__kind" x="{}" dy="{}">{}</tspan>',
                _number(box.x + NODE_PADDING), LINE_HEIGHT - 3,
                node.kind.capitalize() + (" (this page)" if node.current else "")))
        for index, line in enumerate(box.lines):
            text.append(markup('<tspan x="{}" dy="{}">{}</tspan>',
                _number(box.x + NODE_PADDING), LINE_HEIGHT if index or node.kind != MORE
                else LINE_HEIGHT - 3, line))
        text.append(Markup("</text>"))
        shape = markup('<g class="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="6"{}/>'
                       '{}</g>',
            classes, _number(box.x), _number(box.y), _number(box.width), _number(box.height),
            markup(' style="stroke: {}"', colour) if colour else "",
            Markup("").join(text))
        url = url_of(node.record_id) if node.record_id and not node.current else None
        out.append(markup('<a href="{}">{}</a>', url, shape) if url else shape)
    out.append(Markup("</svg>"))
    return Markup("").join(out)


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
