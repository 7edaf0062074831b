"""The workflow kind (versioned code that trains or runs models, ``workflows/<slug>``): its
records validate, experiments name the workflow they ran, ``omh new workflow`` gives a record
that validates once filled, and the site, JSON-LD, DataCite and citations publish it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import minimal_records, write_catalogue
from test_scaffold import fill
from test_site_support import REPO, example_site

from catalogue.derive.quality import quality_report
from catalogue.model.findings import Severity
from catalogue.pipeline import load_catalogue, validate
from catalogue.standards.citations import bibtex, citation_for, csl_json, ris
from catalogue.standards.jsonld import LinkedData
from omh.cli import main

WORKFLOW: dict[str, Any] = {
    "kind": "workflow", "name": "Test Training", "version": "1.0.0",
    "description": "The code that trains the test model: reads the test data, fits the model "
                   "and exports it to ONNX, in one Python script.",
    "created_at": "2025-01-15", "created_by": ["researchers/ada-lovelace"],
    "organization": "organizations/test-institute", "license": "MIT",
    "access_rights": "public", "subjects": ["tests", "training"],
    "workflow_type": "training",
    "code_repository_url": "https://git.example.org/tests/training",
    "code_path": "train.py", "code_commit_hash": "0123456789abcdef0123456789abcdef01234567",
    "programming_language": "Python", "entrypoint": "python train.py --epochs 10",
    "environment_specification": {
        "container_image": "registry.example.org/tests/train:1.0",
        "container_digest": "sha256:" + "ab" * 32},
    "inputs": [{"name": "measurements", "format": "CSV"}],
    "outputs": [{"name": "model", "format": "ONNX", "description": "The trained classifier"}],
}
WORKFLOW_ID = "workflows/test-training"
SCHEMA_ORG = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"


def _catalogue(root: Path, workflow: dict[str, Any] | None = None,
               run_workflow: object = WORKFLOW_ID) -> Path:
    records: dict[str, Any] = dict(minimal_records())
    records[WORKFLOW_ID] = workflow or dict(WORKFLOW)
    records["experiments/test-run"]["workflow"] = run_workflow
    return write_catalogue(root, records)


def _errors(root: Path) -> list[Any]:
    findings, _ = validate(root)
    return [f for f in findings if f.severity is Severity.ERROR]


def test_a_workflow_and_the_experiment_that_ran_it_validate(tmp_path: Path) -> None:
    root = _catalogue(tmp_path)
    assert _errors(root) == []
    catalogue, _ = load_catalogue(root, check=False)
    assert catalogue.graph.related(WORKFLOW_ID, "runs") == ["experiments/test-run"]
    report = quality_report(catalogue.records[WORKFLOW_ID], catalogue)
    passed = {c.id for c in report.checks if c.passed}
    assert {"qualified-references", "provenance", "code-pinned", "community-format"} <= passed
    assert "card" in {c.id for c in report.failed}  # the test writes no README.md


@pytest.mark.parametrize(("value", "rule", "says"), [
    ("workflows/no-such-code", "unresolved-reference", "no workflow 'workflows/no-such-code'"),
    ("models/test-model", "wrong-kind-reference", "'models/test-model' is a model"),
])
def test_a_wrong_workflow_reference_is_reported_at_its_line(tmp_path: Path, value: str,
                                                            rule: str, says: str) -> None:
    root = _catalogue(tmp_path, run_workflow=value)
    found = [f for f in _errors(root) if f.rule == rule]
    assert len(found) == 1, found
    finding = found[0]
    lines = (root / "experiments/test-run/record.yaml").read_text("utf-8").splitlines()
    assert finding.location.path == "experiments/test-run/record.yaml"
    assert lines[finding.location.line - 1].startswith("workflow:")
    assert "field 'workflow'" in finding.message and says in finding.message


def test_a_workflow_without_code_or_entrypoint_is_refused(tmp_path: Path) -> None:
    workflow = {k: v for k, v in WORKFLOW.items()
                if k not in ("code_repository_url", "code_path", "entrypoint")}
    workflow["parent_version"] = "datasets/test-data"
    root = _catalogue(tmp_path, workflow)
    messages = [f.message for f in _errors(root) if f.location.path.startswith(WORKFLOW_ID)]
    assert any("entrypoint" in m for m in messages), messages
    assert any("code_repository_url" in m and "code_path" in m for m in messages), messages
    assert any("field 'parent_version'" in m and "a dataset" in m for m in messages), messages


def test_code_in_this_repository_must_exist_and_an_image_needs_its_digest(
        tmp_path: Path) -> None:
    workflow = {k: v for k, v in WORKFLOW.items() if k not in ("code_repository_url",
                                                               "code_commit_hash")}
    workflow["code_path"] = "scripts/train.py"
    workflow["environment_specification"] = {"container_image": "registry.example.org/t:1"}
    root = _catalogue(tmp_path, workflow)
    assert _errors(root) == []
    catalogue, _ = load_catalogue(root, check=False)
    failed = {c.id: c for c in quality_report(catalogue.records[WORKFLOW_ID], catalogue).failed}
    assert "'scripts/train.py' is not in this catalogue's repository" in failed["provenance"].detail
    assert "named by a tag" in failed["code-pinned"].detail
    (root / "scripts").mkdir()
    (root / "scripts/train.py").write_text("print('training')\n", encoding="utf-8")
    catalogue, _ = load_catalogue(root, check=False)
    report = quality_report(catalogue.records[WORKFLOW_ID], catalogue)
    assert "provenance" in {c.id for c in report.checks if c.passed}


def test_a_code_path_that_leaves_the_repository_is_refused(tmp_path: Path) -> None:
    root = _catalogue(tmp_path, dict(WORKFLOW, code_path="../outside/train.py"))
    found = [f for f in _errors(root) if f.field == "code_path"]
    assert len(found) == 1 and found[0].location.path == f"{WORKFLOW_ID}/record.yaml"


def test_new_workflow_validates_once_its_placeholders_are_filled(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_catalogue(tmp_path, dict(minimal_records()))
    assert main(["new", "workflow", "iris-training", "--root", str(root)]) == 0
    assert "omh validate workflows/iris-training" in capsys.readouterr().out
    folder = root / "workflows/iris-training"
    unfilled, _ = validate(root, [folder])
    assert unfilled and {f.rule for f in unfilled} == {"placeholder"}
    for name in ("record.yaml", "README.md"):
        path = folder / name
        path.write_text(fill(path.read_text("utf-8"), ("", 0)), encoding="utf-8")
    findings, _ = validate(root, [folder])
    assert [f for f in findings if f.severity is Severity.ERROR] == [], findings
    record = yaml.safe_load((folder / "record.yaml").read_text("utf-8"))
    assert record["kind"] == "workflow" and record["programming_language"] == "Python"
    catalogue, _ = load_catalogue(root, check=False)
    report = quality_report(catalogue.records["workflows/iris-training"], catalogue)
    assert "card" in {c.id for c in report.checks if c.passed}


# -- publishing ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def linked() -> LinkedData:
    catalogue, _ = load_catalogue(REPO, check=False)
    return LinkedData(catalogue)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example catalogue's site (built once per session, shared with the other site
    tests)."""
    return example_site(tmp_path_factory.getbasetemp())


def test_workflow_json_ld_is_schema_org_software_source_code(linked: LinkedData) -> None:
    rdflib = pytest.importorskip("rdflib")
    workflow = linked.catalogue.records["workflows/iris-softmax-training"]
    run = linked.catalogue.records["experiments/iris-classifier-training"]
    graph = rdflib.Graph()
    for record in (workflow, run):
        graph.parse(data=json.dumps(linked.record(record)), format="json-ld")
    subject = rdflib.URIRef(linked.url(workflow.id))
    types = set(graph.objects(subject, rdflib.RDF.type))
    assert rdflib.URIRef(SCHEMA_ORG + "SoftwareSourceCode") in types
    assert rdflib.URIRef(PROV + "Plan") in types
    language = graph.value(subject, rdflib.URIRef(SCHEMA_ORG + "programmingLanguage"))
    assert str(language) == "Python"
    experiment = rdflib.URIRef(linked.url(run.id))
    assert (experiment, rdflib.URIRef(SCHEMA_ORG + "instrument"), subject) in graph
    plans = graph.query(
        "SELECT ?plan WHERE { ?run prov:qualifiedAssociation/prov:hadPlan ?plan }",
        initNs={"prov": rdflib.Namespace(PROV)}, initBindings={"run": experiment})
    assert [row[0] for row in plans] == [subject]


@pytest.mark.slow
def test_workflow_is_registered_and_cited_as_software(linked: LinkedData, site: Path) -> None:
    folder = site / "workflows" / "station-forecaster-training"
    root = ET.fromstring((folder / "datacite.xml").read_text("utf-8"))
    kernel = "{http://datacite.org/schema/kernel-4}"
    resource_type = root.find(f"{kernel}resourceType")
    assert resource_type is not None and resource_type.get("resourceTypeGeneral") == "Software"
    relations = {r.get("relationType") for r in root.iter(f"{kernel}relatedIdentifier")}
    assert "Compiles" in relations  # its run
    citation = citation_for(linked.catalogue.records["workflows/station-forecaster-training"],
                            linked.catalogue)
    assert bibtex(citation).startswith("@software{")
    assert ris(citation).startswith("TY  - COMP\r\n")
    assert csl_json(citation)[0]["type"] == "software"
    assert (folder / "citation.bib").read_text("utf-8") == bibtex(citation)


@pytest.mark.slow
def test_site_lists_workflows_and_links_runs_and_models(site: Path) -> None:
    listing = (site / "workflows" / "index.html").read_text("utf-8")
    for slug in ("iris-softmax-training", "station-forecaster-training",
                 "climate-detection-training", "climate-detection-training-v1-1"):
        assert f'href="../workflows/{slug}/"' in listing, slug
    page = (site / "workflows" / "iris-softmax-training" / "index.html").read_text("utf-8")
    assert 'href="../../experiments/iris-classifier-training/"' in page
    assert 'href="../../models/iris-softmax-classifier/"' in page
    assert "python scripts/build_iris_package.py" in page
    assert "Quality score" in page and 'class="omh-lineage__graph"' in page
    newer = (site / "workflows" / "climate-detection-training" / "index.html").read_text("utf-8")
    assert 'href="../../workflows/climate-detection-training-v1-1/"' in newer  # next version


@pytest.mark.slow
def test_experiment_creator_and_organisation_pages_link_the_workflow(site: Path) -> None:
    run = (site / "experiments" / "iris-classifier-training" / "index.html").read_text("utf-8")
    assert 'href="../../workflows/iris-softmax-training/"' in run
    person = (site / "researchers" / "chen-wei" / "index.html").read_text("utf-8")
    organisation = (site / "organizations" / "open-climate-lab" / "index.html").read_text(
        "utf-8")
    for page in (person, organisation):
        assert ">Workflows</h3>" in page
        assert 'href="../../workflows/iris-softmax-training/"' in page
    home = (site / "index.html").read_text("utf-8")
    assert 'href="workflows/"' in home
