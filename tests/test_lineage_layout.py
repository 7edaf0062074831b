"""The lineage drawing's layout: the same graph is drawn the same way every time, in every
process, and graphs of one shape share one layout."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import cast

from catalogue.link.catalogue import Catalogue
from site_generator import lineage
from site_generator.lineage import Edge, Lineage, Node

KINDS = ["workflow", "experiment", "dataset", "model", "experiment", "dataset", "model",
         "experiment", "dataset", "model", "experiment", "dataset", "model", "experiment",
         "model", "experiment", "model", "workflow"]
EDGES = [(0, 1, "ran"), (2, 1, "training"), (1, 3, "produced"), (0, 4, "ran"),
         (5, 4, "training"), (4, 6, "produced"), (0, 7, "ran"), (8, 7, "training"),
         (7, 9, "produced"), (0, 10, "ran"), (11, 10, "training"), (10, 12, "produced"),
         (0, 13, "ran"), (11, 13, "training"), (13, 14, "produced"), (0, 15, "ran"),
         (11, 15, "training"), (15, 16, "produced"), (17, 0, "next version")]
"""A workflow's six runs, their data and models, and its next version: a graph whose layout
grandalf's own ``Graph`` made depend on where its edges happened to lie in memory."""


def workflow_graph(prefix: str = "record", edges: list[tuple[int, int, str]] = EDGES) -> Lineage:
    graph = Lineage(cast(Catalogue, None), {})
    for number, kind in enumerate(KINDS):
        key = f"n{number}"
        graph.nodes[key] = Node(key, f"{kind}s/{prefix}-{number}", kind,
                                f"{prefix.title()} number {number:02d} of {kind}", number == 0)
    graph.edges = [Edge(f"n{source}", f"n{target}", label, label == "next version")
                   for source, target, label in edges]
    return graph


def drawn(graph: Lineage) -> str:
    return str(graph.svg(lambda record_id: f"/{record_id}/", "Lineage"))


def test_a_graph_is_drawn_the_same_way_every_time() -> None:
    seen = set()
    kept = []
    for _ in range(30):
        lineage._positions.cache_clear()
        kept.append([object() for _ in range(50)])  # other objects where the last ones were
        seen.add(drawn(workflow_graph()))
    assert len(seen) == 1
    script = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
              "from test_lineage_layout import drawn, workflow_graph; "
              "print(drawn(workflow_graph()), end='')")
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True)
    assert other.stdout == seen.pop()


def test_graphs_of_one_shape_share_a_layout_and_keep_their_own_words() -> None:
    lineage._positions.cache_clear()
    first, second = drawn(workflow_graph("first")), drawn(workflow_graph("other"))
    assert lineage._positions.cache_info().hits == 1
    numbers = re.compile(r'(?:x|y|d)="[^"]*"')
    assert numbers.findall(first) == numbers.findall(second)
    assert "First number 03 of model" in first and "Other number 03" not in first
    assert 'href="/models/other-3/"' in second and "/models/first-3/" not in second
    # Another shape (the last run's model made by the first run instead) is laid out anew.
    moved = [(1, 16, "produced") if (s, t) == (15, 16) else (s, t, label)
             for s, t, label in EDGES]
    assert numbers.findall(drawn(workflow_graph("first", moved))) != numbers.findall(first)
    assert lineage._positions.cache_info().misses == 2


def test_separate_pieces_are_stacked_one_below_the_other() -> None:
    graph = workflow_graph(edges=[(0, 1, "ran"), (2, 3, "trained")])
    graph.nodes = {key: node._replace(current=False) for key, node in graph.nodes.items()
                   if key in {"n0", "n1", "n2", "n3"}}
    svg = drawn(graph)
    boxes = {m[0]: float(m[1]) + float(m[2]) / 2 for m in re.findall(  # the middles
        r'<a href="/([^"]+)/"><g[^>]*><rect x="[^"]+" y="([^"]+)" width="[^"]+" '
        r'height="([^"]+)"', svg)}
    assert boxes["experiments/record-1"] == boxes["workflows/record-0"]
    assert boxes["models/record-3"] == boxes["datasets/record-2"]
    assert boxes["datasets/record-2"] > boxes["workflows/record-0"]
