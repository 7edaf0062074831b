"""The link graph: inverse links are derived, and the on-demand graph over a record store gives
the same answers as the graph of a loaded catalogue."""

from __future__ import annotations

from pathlib import Path

from catalogue.link.catalogue import link
from catalogue.link.graph import StoreGraph, build_graph
from catalogue.load.store import RecordStore

REPOSITORY = Path(__file__).resolve().parent.parent


def test_inverse_links_are_derived(catalogue: Path) -> None:
    graph = build_graph(RecordStore(catalogue).load_all())
    assert graph.related("datasets/test-data", "trained_models") == ["models/test-model"]
    assert graph.related("datasets/test-data", "used_in") == ["experiments/test-run"]
    assert graph.related("models/test-model", "produced_by") == ["experiments/test-run"]
    assert graph.related("organizations/test-institute", "members") == ["researchers/ada-lovelace"]
    assert graph.related("resources/test-workstation", "used_by") == ["experiments/test-run"]
    assert sorted(graph.related("researchers/ada-lovelace", "created")) == [
        "datasets/test-data", "experiments/test-run", "models/test-model"]


def test_store_graph_agrees_with_the_full_graph_on_the_example_catalogue() -> None:
    catalogue = link(RecordStore(REPOSITORY))
    relations = {name for links in (*catalogue.graph.outgoing.values(),
                                    *catalogue.graph.incoming.values()) for name in links}
    assert {"produced_by", "trained_models", "created", "members", "next_versions"} <= relations
    # One record at a time (the search for referrers) and many at once (a pass over all).
    one_by_one = StoreGraph(RecordStore(REPOSITORY))
    batched = StoreGraph(RecordStore(REPOSITORY))
    batched.prepare(catalogue.records)
    compared = 0
    for record_id in catalogue.records:
        for relation in sorted(relations):
            expected = sorted(catalogue.graph.related(record_id, relation))
            assert sorted(one_by_one.related(record_id, relation)) == expected, \
                (record_id, relation)
            assert sorted(batched.related(record_id, relation)) == expected, (record_id, relation)
            compared += bool(expected)
    assert compared > 50


def test_store_graph_ignores_references_to_missing_records(catalogue: Path) -> None:
    record = catalogue / "models/test-model/record.yaml"
    record.write_text(record.read_text().replace("datasets/test-data", "datasets/nowhere"))
    graph = StoreGraph(RecordStore(catalogue))
    assert graph.related("models/test-model", "training_datasets") == []
    assert graph.related("datasets/test-data", "trained_models") == []
