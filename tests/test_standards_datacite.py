"""DataCite records as DataCite takes them: every XML validates against the Metadata Schema 4.6
XSD, identifies its asset by DOI only, and relates assets by DOI (when they have one) with
relation types that agree from both ends, each related asset once (beside obsolescence)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import minimal_records, write_catalogue

from catalogue.model.records import Record
from catalogue.pipeline import Catalogue, load_catalogue
from catalogue.standards.datacite import datacite_xml, has_datacite
from catalogue.standards.relations import INVERSE, RELATION_TYPES
from catalogue.standards.urls import doi_of

etree = pytest.importorskip("lxml.etree")
REPOSITORY = Path(__file__).resolve().parents[1]
XSD = REPOSITORY / "tests" / "standards" / "datacite" / "kernel-4.6" / "metadata.xsd"
KERNEL = "{http://datacite.org/schema/kernel-4}"


@pytest.fixture(scope="module")
def example() -> Catalogue:
    catalogue, _ = load_catalogue(REPOSITORY, check=False)
    return catalogue


@pytest.fixture(scope="module")
def schema() -> object:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _relations(record: Record, catalogue: Catalogue) -> list[tuple[str, str, str]]:
    root = etree.fromstring(datacite_xml(record, catalogue).encode())
    return [(r.text, r.get("relatedIdentifierType"), r.get("relationType"))
            for r in root.iter(f"{KERNEL}relatedIdentifier")]


def test_every_datacite_xml_is_valid_and_identified_by_its_doi(example: Catalogue,
                                                               schema: object) -> None:
    with_doi = [r for r in example.records.values() if has_datacite(r)]
    assert {r.kind.name for r in with_doi} == {"model", "dataset", "experiment", "workflow"}
    for record in with_doi:
        root = etree.fromstring(datacite_xml(record, example).encode())
        assert schema.validate(root), (record.id, schema.error_log)  # type: ignore[attr-defined]
        identifiers = root.findall(f"{KERNEL}identifier")
        assert [(i.get("identifierType"), i.text) for i in identifiers] == [
            ("DOI", doi_of(record.data["persistent_identifier"]))]
    without = [r for r in example.records.values() if r.kind.is_asset and not has_datacite(r)]
    assert without
    for record in without:
        with pytest.raises(ValueError, match="no DOI"):
            datacite_xml(record, example)


def test_relations_by_doi_agree_from_both_ends(example: Catalogue) -> None:
    with_doi = {doi_of(r.data["persistent_identifier"]): r for r in example.records.values()
                if has_datacite(r)}
    pairs = 0
    for record in with_doi.values():
        relations = _relations(record, example)
        assert not [k for k, n in Counter((i, t) for i, _, t in relations).items() if n > 1]
        targets = Counter(i for i, _, t in relations if t not in ("Obsoletes", "IsObsoletedBy"))
        assert max(targets.values(), default=1) == 1, record.id  # each related asset once
        for identifier, kind, relation in relations:
            if kind == "URL":
                assert not identifier.startswith("https://doi.org/")
                target = identifier.removeprefix(
                    "https://openmodelshub.example/").rstrip("/")
                if target in example.records:  # an asset without a DOI, named by its page
                    assert not has_datacite(example.records[target])
                continue
            assert kind == "DOI"
            other = with_doi.get(identifier)
            if other is None:
                continue  # a publication
            own_doi = doi_of(record.data["persistent_identifier"])
            assert (own_doi, "DOI", INVERSE[relation]) in _relations(other, example), (
                record.id, relation, other.id)
            pairs += 1
    assert pairs >= 10


def test_versions_and_obsolescence_link_both_ways(example: Catalogue) -> None:
    old = example.records["datasets/weather-station-readings-v1"]
    new = example.records["datasets/weather-station-readings-v1-1"]
    old_doi, new_doi = (doi_of(r.data["persistent_identifier"]) for r in (old, new))
    assert {(new_doi, "IsPreviousVersionOf"), (new_doi, "IsObsoletedBy")} <= {
        (i, t) for i, _, t in _relations(old, example)}
    assert {(old_doi, "IsNewVersionOf"), (old_doi, "Obsoletes")} <= {
        (i, t) for i, _, t in _relations(new, example)}


def test_relation_types_come_in_datacite_pairs() -> None:
    datacite_types = etree.parse(str(XSD.parent / "include" / "datacite-relationType-v4.xsd"))
    allowed = {e.get("value") for e in datacite_types.iter(
        "{http://www.w3.org/2001/XMLSchema}enumeration")}
    for forward, backward in RELATION_TYPES.values():
        assert {forward, backward} <= allowed
        assert INVERSE[forward] == backward and INVERSE[backward] == forward


def test_publications_funding_and_alternate_identifier(tmp_path: Path, schema: object) -> None:
    records = minimal_records()
    dataset = records["datasets/test-data"]
    dataset["persistent_identifier"] = "doi:10.5555/test-data"
    dataset["related_publications"] = [
        {"citation": "A paper.", "doi": "10.1234/paper"},
        {"citation": "A page.", "url": "https://example.org/page"}]
    dataset["funding"] = [{"funder": "organizations/test-institute", "award_number": "A-1",
                           "award_url": "https://example.org/awards/a-1",
                           "award_title": "A grant"}]
    write_catalogue(tmp_path, dict(records))
    catalogue, _ = load_catalogue(tmp_path, check=False)
    record = catalogue.records["datasets/test-data"]
    root = etree.fromstring(datacite_xml(record, catalogue).encode())
    assert schema.validate(root), schema.error_log  # type: ignore[attr-defined]
    assert ("10.1234/paper", "DOI", "Cites") in _relations(record, catalogue)
    assert ("https://example.org/page", "URL", "Cites") in _relations(record, catalogue)
    alternate = root.find(f"{KERNEL}alternateIdentifiers/{KERNEL}alternateIdentifier")
    assert alternate is not None and alternate.get("alternateIdentifierType") == "URL"
    funding = root.find(f"{KERNEL}fundingReferences/{KERNEL}fundingReference")
    assert funding is not None
    funder = catalogue.title_of("organizations/test-institute")
    assert funding.findtext(f"{KERNEL}funderName") == funder
    award = funding.find(f"{KERNEL}awardNumber")
    assert award is not None and award.text == "A-1"
    assert award.get("awardURI") == "https://example.org/awards/a-1"
