"""The RDF the catalogue publishes, as an RDF store and a reasoner read it: the site's N-Quads
dump (``catalogue.nq``) loaded into rdflib is the union of the records' own graphs
(``metadata.jsonld``, parsed independently by rdflib's JSON-LD parser), SPARQL over it gives the
answers the records hold, identifiers are IRIs and dates typed, and an OWL 2 RL closure with
PROV-O's axioms finds no inconsistency."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_records, write_catalogue
from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from catalogue.pipeline import Catalogue, load_catalogue
from catalogue.standards.exports import EXPORT_FORMATS, asset_exports
from catalogue.standards.jsonld import LinkedData, model_emissions
from catalogue.standards.rdf import nquads_lines, to_nquads
from site_generator.build import build_site
from site_generator.carbon_view import carbon_figures
from site_generator.site_files import (
    DATA_CATALOG_FILE,
    NQUADS_FILE,
    catalogue_file_paths,
    catalogue_files,
    machine_files,
    sitemap_files,
)

REPOSITORY = Path(__file__).resolve().parents[1]
SC = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
MLS = Namespace("http://www.w3.org/ns/mls#")
CR = Namespace("http://mlcommons.org/croissant/")
FAIR4ML = Namespace("https://w3id.org/fair4ml#")
OMH = Namespace("https://w3id.org/openmodelshub/vocab#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
NAMESPACES = {"sc": SC, "prov": PROV, "mls": MLS, "cr": CR, "fair4ml": FAIR4ML, "omh": OMH}


@pytest.fixture(scope="module")
def example() -> Catalogue:
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    return catalogue


@pytest.fixture(scope="module")
def linked(example: Catalogue) -> LinkedData:
    """As the site makes it: with every model's computed footprint."""
    return LinkedData(example, emissions=model_emissions(carbon_figures(example).report))


@pytest.fixture(scope="module")
def dump(linked: LinkedData) -> Graph:
    """The site's published ``catalogue.nq``, loaded into an RDF store."""
    published = {f.path: f.content for f in machine_files(linked)}
    store = Dataset()
    store.parse(data=(published[NQUADS_FILE] or b"").decode("utf-8"), format="nquads")
    graph = Graph()
    for triple in store.triples((None, None, None)):
        graph.add(triple)
    return graph


def _record_graph(document: str, base: str) -> Graph:
    return Graph().parse(data=document, format="json-ld", publicID=base)


@pytest.fixture(scope="module")
def union(linked: LinkedData) -> Graph:
    """Every record's ``metadata.jsonld`` and the published ``catalogue.jsonld``, each parsed
    on its own."""
    graph = Graph()
    for record in linked.catalogue.records.values():
        document = asset_exports(record, linked)[EXPORT_FORMATS["jsonld"]]
        graph += _record_graph(document, linked.url(record.id))
    published = {f.path: f.content for f in machine_files(linked)}
    graph += _record_graph((published[DATA_CATALOG_FILE] or b"").decode("utf-8"), linked.base)
    return graph


def _query(graph: Graph, text: str, **bindings: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in graph.query(text, initNs=NAMESPACES, initBindings=bindings)]


def test_dump_is_the_union_of_the_records_graphs(dump: Graph, union: Graph) -> None:
    assert len(dump) == len(union) > 1000
    assert isomorphic(dump, union)


def test_blank_nodes_stay_in_their_record(linked: LinkedData) -> None:
    """Two documents with blank nodes of the same shape give two nodes, not one."""
    document = {"@context": {"@vocab": "https://schema.org/"}, "@id": "https://x.example/a/",
                "funder": {"name": "Same"}}
    other = {**document, "@id": "https://x.example/b/"}
    graph = Graph().parse(data=to_nquads([(document, "https://x.example/a/"),
                                          (other, "https://x.example/b/")]), format="nquads")
    funders = set(graph.objects(None, SC.funder))
    assert len(funders) == 2 and all(isinstance(f, BNode) for f in funders)


def test_relative_ids_resolve_under_the_records_page(dump: Graph, linked: LinkedData) -> None:
    subjects = {str(s) for s in dump.subjects() if isinstance(s, URIRef)}
    assert not [s for s in subjects if "example.org" in s]
    iris = linked.url("datasets/iris-flower-measurements")
    assert iris + "records" in subjects and iris + "iris.csv" in subjects


def test_hyperparameters_per_run(dump: Graph, linked: LinkedData) -> None:
    query = """SELECT ?name ?value WHERE {
        ?run mls:hasInput ?setting . ?setting a mls:HyperParameterSetting ;
            mls:hasValue ?value ; mls:specifiedBy ?parameter .
        ?parameter a mls:HyperParameter ; sc:name ?name }"""
    runs = 0
    for experiment in linked.catalogue.of_kind("experiment"):
        expected = experiment.data.get("hyperparameters") or {}
        rows = _query(dump, query, run=URIRef(linked.url(experiment.id)))
        found = {str(name): value.toPython() for name, value in rows}
        assert {k: float(v) if isinstance(v, Decimal) else v for k, v in found.items()} == \
            expected, experiment.id
        runs += bool(expected)
    assert runs >= 3


def test_record_sets_and_files_are_their_own(dump: Graph, linked: LinkedData) -> None:
    iris = linked.catalogue.records["datasets/iris-flower-measurements"]
    fields = _query(dump, "SELECT ?field WHERE { ?set cr:field ?field }",
                    set=URIRef(linked.url(iris.id) + "records"))
    assert len(fields) == len(iris.mappings("columns"))
    checksums = _query(dump, "SELECT ?file (COUNT(?sum) AS ?n) WHERE { ?file sc:sha256 ?sum }"
                             " GROUP BY ?file")
    assert checksums and all(int(n) == 1 for _, n in checksums)


def test_models_trained_on_a_dataset_with_their_run_resources_and_carbon(
        dump: Graph, linked: LinkedData) -> None:
    dataset = "datasets/climate-change-detection"
    rows = _query(dump, """SELECT ?model ?run ?resource ?kg WHERE {
        ?model fair4ml:trainedOn ?dataset ; prov:wasGeneratedBy ?run ; omh:co2eKg ?kg .
        ?run prov:used ?resource . ?resource a sc:Product }""",
                  dataset=URIRef(linked.url(dataset)))
    graph = linked.catalogue.graph
    expected = set()
    for model in graph.related(dataset, "trained_models"):
        for run in graph.related(model, "produced_by"):
            experiment = linked.catalogue.records[run]
            for usage in experiment.mappings("resource_utilizations"):
                expected.add((linked.url(model), linked.url(run), linked.url(usage["resource"])))
    assert expected and {(str(m), str(r), str(s)) for m, r, s, _ in rows} == expected
    for model, *_rest, kg in rows:
        assert kg.datatype == XSD.decimal
        model_id = str(model)[len(linked.base):].rstrip("/")
        assert float(kg.toPython()) == pytest.approx(linked.emissions[model_id].kg, abs=5e-4)


def test_identifiers_are_iris_and_text_alone_is_language_tagged(dump: Graph,
                                                               linked: LinkedData) -> None:
    person = linked.catalogue.records["researchers/alice-johnson"]
    orcid = URIRef("https://orcid.org/" + person.data["orcid_id"])
    assert _query(dump, "SELECT ?who WHERE { ?who sc:sameAs ?orcid }", orcid=orcid) == [
        (URIRef(linked.url(person.id)),)]
    for predicate in (SC.url, SC.license, SC.contentUrl, SC.sameAs, SC.identifier):
        # every record's (a grant's award number stays the text it is)
        values = [o for s, o in dump.subject_objects(predicate) if isinstance(s, URIRef)]
        assert values and all(isinstance(v, URIRef) for v in values), predicate
    not_text = re.compile(r"^(https?://\S+|\d{4}-\d\d-\d\d.*|[0-9a-f]{64}|-?[\d.]+( B)?|"
                          r"[A-Za-z]{2})$")
    tagged = [o for o in dump.objects() if isinstance(o, Literal) and o.language]
    assert tagged and [str(o) for o in tagged if not_text.match(str(o))] == []
    for predicate in (SC.dateCreated, SC.dateModified, SC.datePublished):
        dates = list(dump.objects(None, predicate))
        assert dates and {d.datatype for d in dates} == {XSD.date}, predicate
    times = list(dump.objects(None, PROV.startedAtTime))
    assert times and {t.datatype for t in times} == {XSD.dateTime}


def test_prov_roles_follow_the_kinds(dump: Graph, linked: LinkedData) -> None:
    for experiment in linked.catalogue.of_kind("experiment"):
        node = URIRef(linked.url(experiment.id))
        assert (node, PROV.wasAttributedTo, None) not in dump
        assert (node, PROV.wasAssociatedWith, None) in dump
        assert (node, RDF.type, SC.Action) in dump
    for model in linked.catalogue.of_kind("model"):
        node = URIRef(linked.url(model.id))
        assert (node, PROV.wasAttributedTo, None) in dump
        assert (node, PROV.wasAssociatedWith, None) not in dump
    evaluations = _query(dump, """SELECT ?evaluation ?measure WHERE {
        ?run mls:hasOutput ?evaluation . ?evaluation a mls:ModelEvaluation ;
        mls:specifiedBy ?measure . ?measure a mls:EvaluationMeasure }""")
    metrics = sum(len(e.mappings("metrics")) for e in linked.catalogue.of_kind("experiment"))
    assert len(evaluations) == metrics > 0


# -- OWL 2 RL -------------------------------------------------------------------------------

PROV_O_AXIOMS = (
    # The axioms of PROV-O (W3C Recommendation, 30 April 2013) that the catalogue's PROV terms
    # touch: the disjointness of activities and entities, and the domains and ranges of the
    # properties it uses.
    (PROV.Activity, OWL.disjointWith, PROV.Entity),
    (PROV.Plan, RDFS.subClassOf, PROV.Entity),
    (PROV.Person, RDFS.subClassOf, PROV.Agent),
    (PROV.Organization, RDFS.subClassOf, PROV.Agent),
    (PROV.generated, OWL.inverseOf, PROV.wasGeneratedBy),
    *((prop, RDFS.domain, domain) for prop, domain in (
        (PROV.wasAttributedTo, PROV.Entity), (PROV.wasAssociatedWith, PROV.Activity),
        (PROV.wasGeneratedBy, PROV.Entity), (PROV.generated, PROV.Activity),
        (PROV.used, PROV.Activity), (PROV.wasDerivedFrom, PROV.Entity),
        (PROV.startedAtTime, PROV.Activity), (PROV.endedAtTime, PROV.Activity),
        (PROV.qualifiedAssociation, PROV.Activity), (PROV.qualifiedUsage, PROV.Activity),
        (PROV.hadPlan, PROV.Association))),
    *((prop, RDFS.range, target) for prop, target in (
        (PROV.wasAttributedTo, PROV.Agent), (PROV.wasAssociatedWith, PROV.Agent),
        (PROV.wasGeneratedBy, PROV.Activity), (PROV.generated, PROV.Entity),
        (PROV.used, PROV.Entity), (PROV.wasDerivedFrom, PROV.Entity),
        (PROV.qualifiedAssociation, PROV.Association), (PROV.qualifiedUsage, PROV.Usage),
        (PROV.entity, PROV.Entity), (PROV.hadPlan, PROV.Plan))),
)


def _inconsistencies(graph: Graph) -> list[str]:
    owlrl = pytest.importorskip("owlrl")
    closure = Graph()
    closure += graph
    for axiom in PROV_O_AXIOMS:
        closure.add(axiom)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    errors = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
    return sorted(str(m) for m in closure.objects(None, errors.error))


def test_owl_rl_closure_with_prov_o_finds_no_inconsistency(dump: Graph,
                                                           linked: LinkedData) -> None:
    assert _inconsistencies(dump) == []
    # The same reasoner does find the old mistake: attributing an experiment (an activity).
    run = URIRef(linked.url(linked.catalogue.of_kind("experiment")[0].id))
    broken = Graph()
    broken += dump
    broken.add((run, PROV.wasAttributedTo, URIRef(linked.url("researchers/alice-johnson"))))
    assert any("disjoint" in message.lower() for message in _inconsistencies(broken))


def test_blank_node_labels_are_the_documents_own_and_the_same_every_time() -> None:
    """The dump is sorted lines: two builds of the same catalogue give the same bytes only if
    each blank node gets the same label each time, which no other document uses."""
    document = {"@context": {"@vocab": "https://schema.org/"}, "@id": "https://x.example/a/",
                "publisher": {"@type": "Organization", "name": "Lab"},
                "funder": [{"name": "One"}, {"name": "Two"}]}
    first = nquads_lines(document, "https://x.example/a/")
    assert first == nquads_lines(document, "https://x.example/a/")
    labels = {label for line in first for label in re.findall(r"_:\S+", line)}
    assert labels == {f"_:x_example_a_b{n}" for n in range(3)}
    graph = Graph().parse(data="\n".join(first), format="nquads")
    assert len(set(graph.objects(None, SC.funder))) == 2


def test_text_that_looks_like_a_blank_node_is_left_as_it_is() -> None:
    """Labels are given in the N-Quads text: a literal or an IRI holding ``_:`` keeps it."""
    text = 'see _:b0, "_:q" and <_:z>'
    document = {"@context": {"@vocab": "https://schema.org/"}, "@id": "https://x.example/a/",
                "description": text, "url": {"@id": "https://x.example/_:b1"},
                "author": {"name": "_:n", "knows": {"name": "_:b0"}}}
    lines = nquads_lines(document, "https://x.example/a/")
    graph = Graph().parse(data="\n".join(lines), format="nquads")
    page = URIRef("https://x.example/a/")
    assert graph.value(page, SC.description) == Literal(text)
    assert graph.value(page, SC.url) == URIRef("https://x.example/_:b1")
    author = graph.value(page, SC.author)
    assert isinstance(author, BNode) and graph.value(author, SC.name) == Literal("_:n")
    assert graph.value(graph.value(author, SC.knows), SC.name) == Literal("_:b0")
    labels = set(re.findall(r"_:x_example_a_b\d+", "\n".join(lines)))
    assert labels == {"_:x_example_a_b0", "_:x_example_a_b1"}


def test_a_triple_with_an_iri_that_is_not_well_formed_is_left_out() -> None:
    """As the JSON-LD to RDF algorithm says: an RDF store refuses the whole dump otherwise."""
    document = {"@context": {"@vocab": "https://schema.org/"}, "@id": "https://x.example/a/",
                "name": "A", "sameAs": [{"@id": "https://x.example/b/"},
                                        {"@id": "https://x.example/not a page"}]}
    lines = nquads_lines(document, "https://x.example/a/")
    graph = Graph().parse(data="\n".join(lines), format="nquads")
    assert set(graph.objects(None, SC.sameAs)) == {URIRef("https://x.example/b/")}
    assert (None, SC.name, Literal("A")) in graph


def test_a_base_that_is_not_an_iri_gives_no_triples() -> None:
    """(Only settings that skipped their check give such a site address.)"""
    base = 'https://x.example/"><script>alert(1)</script>/a/'
    document = {"@context": {"@vocab": "https://schema.org/", "@base": base}, "@id": base,
                "name": "A", "funder": {"name": "F"}}
    assert nquads_lines(document, base) == []


def test_a_remote_context_is_never_fetched() -> None:
    document = {"@context": "http://127.0.0.1:9/context.jsonld", "@id": "https://x.example/a/",
                "name": "A"}
    with pytest.raises(SyntaxError, match="remote context"):
        nquads_lines(document, "https://x.example/a/")



LINE_BREAKING = "two\u2028lines\u0085and a vertical\x0btab"
"""Characters ``str.splitlines`` breaks a line at, which an N-Quads literal may hold as they
are."""


def test_a_literal_holding_line_separators_stays_one_line_of_the_dump() -> None:
    document = {"@context": {"@vocab": str(SC)}, "@id": "https://hub.example/models/m/",
                "@type": "SoftwareApplication", "description": LINE_BREAKING}
    lines = nquads_lines(document, "https://hub.example/models/m/")
    store = Dataset()
    store.parse(data="\n".join(lines), format="nquads")
    assert {str(o) for _, _, o, _ in store.quads((None, SC.description, None, None))} == \
        {LINE_BREAKING}


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_dump_of_a_rebuild_keeps_such_a_literal_whole(tmp_path: Path, jobs: int) -> None:
    """Built, then built again with the record's unit taken from the build cache (its lines
    read back from there), in one process and with workers."""
    records = minimal_records()
    records["models/test-model"] = {**records["models/test-model"],
                                    "description": LINE_BREAKING}
    root = write_catalogue(tmp_path / "hub", records)
    site = tmp_path / "site"
    for rebuild in (False, True):
        result = build_site(root, site, jobs=jobs)
        assert (result.reused > 0) is rebuild
        store = Dataset()
        store.parse(data=(site / NQUADS_FILE).read_text(encoding="utf-8"), format="nquads")
        assert LINE_BREAKING in {str(o) for _, _, o, _ in
                                 store.quads((None, SC.description, None, None))}


def test_the_site_wide_files_are_those_said_beforehand(linked: LinkedData) -> None:
    """A build in place removes, while they are made, every file it does not know of: the
    site-wide files' paths are known before they are made, and are exactly theirs."""
    made = [f.path for f in catalogue_files(linked)] + list(sitemap_files(linked))
    assert sorted(made) == sorted(catalogue_file_paths())
