"""DCAT 3 as an RDF store reads it (rdflib): resources where DCAT wants resources (IANA media
types, SPDX licences, access rights, agents), typed dates and sizes, access and download URLs,
checksums, and version links; the catalogue file lists every dataset and model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef

from catalogue.pipeline import Catalogue, load_catalogue
from catalogue.standards.dcat import DCAT_KINDS
from catalogue.standards.exports import EXPORT_FORMATS, asset_exports
from catalogue.standards.jsonld import LinkedData
from site_generator.site_files import DCAT_FILE, machine_files

REPOSITORY = Path(__file__).resolve().parents[1]
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA = "https://www.iana.org/assignments/media-types/"


@pytest.fixture(scope="module")
def linked() -> LinkedData:
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    return LinkedData(catalogue)


@pytest.fixture(scope="module")
def catalogue_graph(linked: LinkedData) -> Graph:
    published = {f.path: f.content for f in machine_files(linked)}
    return Graph().parse(data=(published[DCAT_FILE] or b"").decode("utf-8"), format="json-ld")


def _record_graph(linked: LinkedData, record_id: str) -> Graph:
    record = linked.catalogue.records[record_id]
    return Graph().parse(data=asset_exports(record, linked)[EXPORT_FORMATS["dcat"]],
                         format="json-ld")


def test_catalogue_lists_every_dataset_and_model(catalogue_graph: Graph,
                                                 linked: LinkedData) -> None:
    catalog = URIRef(linked.base)
    assert (catalog, RDF.type, DCAT.Catalog) in catalogue_graph
    listed = set(catalogue_graph.objects(catalog, DCAT.dataset))
    expected = {URIRef(linked.url(r.id)) for kind in DCAT_KINDS
                for r in linked.catalogue.of_kind(kind)}
    assert listed == expected
    for publisher in catalogue_graph.objects(catalog, DCT.publisher):
        assert isinstance(publisher, URIRef) and (publisher, FOAF.name, None) in catalogue_graph
    language = catalogue_graph.value(catalog, DCT.language)
    assert isinstance(language, URIRef)


def test_values_dcat_wants_as_resources_are_resources(catalogue_graph: Graph,
                                                      linked: LinkedData) -> None:
    catalogue: Catalogue = linked.catalogue
    distributions = 0
    for dataset in catalogue_graph.subjects(RDF.type, DCAT.Dataset):
        record_id = str(dataset)[len(linked.base):].rstrip("/")
        record = catalogue.records[record_id]
        for licence in catalogue_graph.objects(dataset, DCT.license):
            assert isinstance(licence, URIRef) and str(licence).startswith(
                "http://spdx.org/licenses/")
        rights = catalogue_graph.value(dataset, DCT.accessRights)
        assert isinstance(rights, URIRef), record_id
        for term in (DCT.issued, DCT.modified):
            for value in catalogue_graph.objects(dataset, term):
                assert isinstance(value, Literal) and value.datatype == XSD.date
        publisher = catalogue_graph.value(dataset, DCT.publisher)
        assert isinstance(publisher, URIRef), record_id
        sums = {a["sha256"] for a in record.mappings("artefacts")}
        for distribution in catalogue_graph.objects(dataset, DCAT.distribution):
            distributions += 1
            for term in (DCAT.accessURL, DCAT.downloadURL):
                assert isinstance(catalogue_graph.value(distribution, term), URIRef)
            size = catalogue_graph.value(distribution, DCAT.byteSize)
            assert isinstance(size, Literal) and size.datatype == XSD.nonNegativeInteger
            checksum = catalogue_graph.value(distribution, SPDX.checksum)
            assert catalogue_graph.value(checksum, SPDX.algorithm) == \
                SPDX.checksumAlgorithm_sha256
            value = catalogue_graph.value(checksum, SPDX.checksumValue)
            assert isinstance(value, Literal) and value.datatype == XSD.hexBinary
            assert str(value) in sums
            media = catalogue_graph.value(distribution, DCAT.mediaType)
            if media is None:  # an unregistered type: described, not linked
                assert catalogue_graph.value(distribution, DCT["format"]) is not None
            else:
                assert isinstance(media, URIRef) and str(media).startswith(IANA)
        if record.status == "deleted":
            assert catalogue_graph.value(dataset, DCAT.distribution) is None
    assert distributions > 10


def test_versions_are_linked(linked: LinkedData) -> None:
    graph = _record_graph(linked, "datasets/weather-station-readings-v1-1")
    node = URIRef(linked.url("datasets/weather-station-readings-v1-1"))
    assert graph.value(node, DCAT.previousVersion) == URIRef(
        linked.url("datasets/weather-station-readings-v1"))
    assert str(graph.value(node, DCAT.version)) == "1.0.1"
    old = _record_graph(linked, "datasets/weather-station-readings-v1")
    assert old.value(URIRef(linked.url("datasets/weather-station-readings-v1")),
                     DCT.isReplacedBy) == node


def test_each_record_file_is_its_part_of_the_catalogue(catalogue_graph: Graph,
                                                       linked: LinkedData) -> None:
    for kind in DCAT_KINDS:
        for record in linked.catalogue.of_kind(kind):
            graph = _record_graph(linked, record.id)
            ground = {t for t in graph if not any(isinstance(x, BNode) for x in t)}
            assert ground and ground <= set(catalogue_graph), record.id
    assert json.loads(asset_exports(linked.catalogue.of_kind("model")[0], linked)[
        EXPORT_FORMATS["dcat"]])["dct:type"]["@id"] == "https://w3id.org/fair4ml#MLModel"
