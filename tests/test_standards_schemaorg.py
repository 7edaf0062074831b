"""schema.org used within its definitions (release 30.0, tests/standards/schemaorg): every
schema.org property on a node with a schema.org type is one that type (or a supertype) takes,
and no term is superseded. FAIR4ML's classes count as the schema.org classes they extend."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from catalogue.pipeline import load_catalogue
from catalogue.standards.exports import EXPORT_FORMATS, asset_exports
from catalogue.standards.jsonld import LinkedData

REPOSITORY = Path(__file__).resolve().parents[1]
VOCAB = REPOSITORY / "tests" / "standards"
SCHEMA = "https://schema.org/"
CROISSANT_PRESCRIBED = {SCHEMA + "containedIn"}
"""Croissant 1.0 puts a FileSet in its archive with schema.org's ``containedIn``."""


def _rows(name: str) -> list[dict[str, str]]:
    with open(VOCAB / "schemaorg" / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(cell: str) -> set[str]:
    return {part.strip() for part in cell.split(",") if part.strip()}


@functools.cache
def _parents() -> dict[str, set[str]]:
    parents = {row["id"]: _split(row["subTypeOf"]) for row in
               _rows("schemaorg-current-https-types.csv")}
    fair4ml = json.loads((VOCAB / "fair4ml" / "fair4ml-0.1.0.jsonld").read_text("utf-8"))
    for node in fair4ml["@graph"]:
        parent = node.get("rdfs:subClassOf", {}).get("@id", "") if isinstance(
            node.get("rdfs:subClassOf"), dict) else ""
        if parent.startswith("schema:"):
            parents[node["@id"].replace("fair4ml:", "https://w3id.org/fair4ml#")] = {
                SCHEMA + parent[len("schema:"):]}
    return parents


@functools.cache
def _ancestors(type_iri: str) -> frozenset[str]:
    found, todo = {type_iri}, [type_iri]
    while todo:
        for parent in _parents().get(todo.pop(), set()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return frozenset(found)


@functools.cache
def _properties() -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in _rows("schemaorg-current-https-properties.csv")}


@pytest.fixture(scope="module")
def graph() -> Graph:
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    linked = LinkedData(catalogue)
    union = Graph()
    for record in catalogue.records.values():
        files = asset_exports(record, linked)
        union.parse(data=files[EXPORT_FORMATS["jsonld"]], format="json-ld")
        if EXPORT_FORMATS["croissant"] in files:
            union.parse(data=files[EXPORT_FORMATS["croissant"]], format="json-ld",
                        publicID=linked.url(record.id))
    union.parse(data=json.dumps(linked.data_catalog()), format="json-ld")
    return union


def _misfits(graph: Graph) -> tuple[int, list[tuple[str, str]]]:
    """(properties checked, (types, property) of each that does not fit its subject)."""
    misfits: set[tuple[str, str]] = set()
    checked = 0
    for subject in set(graph.subjects(RDF.type, None)):
        types = {str(t) for t in graph.objects(subject, RDF.type)}
        known = {t for t in types if t in _parents()}
        if not known:
            continue  # a PROV, ML-Schema, Croissant or HPC node: not schema.org's to judge
        ancestors = set().union(*(_ancestors(t) for t in known))
        for predicate in set(graph.predicates(subject, None)):
            if not str(predicate).startswith(SCHEMA):
                continue
            domain = _split(_properties()[str(predicate)]["domainIncludes"])
            checked += 1
            if not domain & ancestors:
                misfits.add((", ".join(sorted(t.rsplit("/", 1)[-1] for t in known)),
                             str(predicate).rsplit("/", 1)[-1]))
    return checked, sorted(misfits)


def test_schema_org_properties_fit_the_types_of_their_subjects(graph: Graph) -> None:
    checked, misfits = _misfits(graph)
    assert checked > 500 and misfits == []
    # A CreativeWork property on a run (an Action), as experiments once had, is caught.
    run = next(graph.subjects(RDF.type, URIRef(SCHEMA + "Action")))
    wrong = Graph()
    wrong += graph
    wrong.add((run, URIRef(SCHEMA + "license"), URIRef("https://spdx.org/licenses/MIT.html")))
    assert ("Action", "license") in _misfits(wrong)[1]


def test_no_superseded_schema_org_term(graph: Graph) -> None:
    used = {str(p) for p in graph.predicates() if str(p).startswith(SCHEMA)}
    used |= {str(o) for o in graph.objects(None, RDF.type)
             if isinstance(o, URIRef) and str(o).startswith(SCHEMA)}
    superseded = {row["id"] for name in ("schemaorg-current-https-types.csv",
                                         "schemaorg-current-https-properties.csv")
                  for row in _rows(name) if row["supersededBy"]}
    assert used and sorted(used & superseded - CROISSANT_PRESCRIBED) == []
