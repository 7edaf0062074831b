"""``omh new``: the templates, the placeholder check, and records that validate once filled."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy
import pytest
import safetensors.numpy
import yaml
from conftest import minimal_records, write_catalogue

from catalogue.importers.scaffold import render
from catalogue.model.findings import Severity
from catalogue.model.kinds import KINDS
from catalogue.model.placeholders import PLACEHOLDER, find_placeholders
from catalogue.pipeline import validate
from omh.cli import main

# Real safetensors bytes, written by the safetensors library: the weights check opens them.
MODEL_FILE = safetensors.numpy.save({"dense.weight": numpy.zeros((4, 3), dtype=numpy.float32)})
DATA_FILE = b"sepal_length_cm,species\n5.1,setosa\n7.0,versicolor\n6.3,virginica\n"


def _digest(content: bytes) -> tuple[str, int]:
    return hashlib.sha256(content).hexdigest(), len(content)


MODEL_SHA, MODEL_SIZE = _digest(MODEL_FILE)
DATA_SHA, DATA_SIZE = _digest(DATA_FILE)
LONG = ("A classifier of iris species from four flower measurements, trained on the measurements "
        "dataset of the tests and evaluated on its held-out test split.")

# What a contributor would write for each placeholder (the hint, whitespace collapsed).
FILLS: dict[str, str] = {
    # shared
    "researcher slug; add yourself first with omh new researcher SLUG": "ada-lovelace",
    "organization slug": "test-institute",
    "first keyword": "botany",
    "second keyword": "tabular classification",
    "sha256 of the file, from sha256sum FILE": "SHA",
    "size of the file in bytes, from stat -c %s FILE": "SIZE",
    # model
    "what the model predicts, from what input, trained on which data, and how well it does; "
    "two to five sentences": LONG,
    "SPDX licence id of the weights and code, e.g. Apache-2.0 or MIT": "Apache-2.0",
    "framework, one of pytorch, tensorflow, keras, jax, scikit-learn, xgboost, lightgbm, onnx, "
    "numpy, transformers, other": "numpy",
    "version of the framework the model was trained with": "2.1.0",
    "model type, e.g. classification, regression, object-detection, language-model":
        "classification",
    "Hugging Face pipeline tag, e.g. image-classification or tabular-regression":
        "tabular-classification",
    "architecture in one line, e.g. ResNet50 with a 5-class head": "one linear layer and softmax",
    "input tensor name, as in the ONNX file": "measurements",
    "size of the second dimension": "4",
    "what the input holds, its units and normalisation": "four lengths in centimetres",
    "output tensor name, as in the ONNX file": "probabilities",
    "number of outputs": "3",
    "what the output means": "probability of each species",
    "who should use the model, for what": "students learning how a model package is checked",
    "uses the model is not fit for": "identifying real plants in the field",
    "known limitations, biases, domains where it fails": "knows three species only",
    "dataset slug; add it first with omh new dataset SLUG": "new-dataset",
    "metric name, e.g. accuracy": "accuracy",
    "value measured on held-out data": "0.93",
    "dataset slug of the evaluation data": "new-dataset",
    "file name in this folder, e.g. model.onnx or model.safetensors": "model.safetensors",
    "media type, application/onnx for ONNX, application/octet-stream otherwise":
        "application/octet-stream",
    "role, onnx for an ONNX file or weights for safetensors": "weights",
    # model card
    "what the model predicts and the use case it supports": "The species of an iris flower.",
    "who should use the model and for what": "Students.",
    "known limitations, data caveats, domain limits, uncertainty and bias risks":
        "Three species only.",
    "each input tensor by name: shape, channel order, units and normalisation":
        "`measurements`: float32, [batch, 4], centimetres.",
    "each output tensor by name and what it means; for a classifier, the class names in output "
    "order as a numbered list": "`probabilities`: float32, [batch, 3], one per species.",
    "the training and validation data, by catalogue id, and the experiment that trained it":
        "datasets/new-dataset, trained by experiments/new-experiment.",
    "the exact commands that install the environment and run the model on a sample":
        "python predict.py 5.1 3.5 1.4 0.2",
    "the licence of the weights, the code and the files": "Apache-2.0",
    "how to cite the model, e.g. a BibTeX entry": "Lovelace, A. (2025). Iris model.",
    # dataset
    "what the data are, how many records, where and when they were collected, and what they are "
    "for; 50 to 5000 characters, as Google Dataset Search requires": LONG.replace(
        "A classifier of iris species from", "Iris flowers measured by"),
    "SPDX licence id of the data, e.g. CC-BY-4.0 or CC0-1.0": "CC-BY-4.0",
    "format, one of csv, tsv, json, jsonl, parquet, arrow, hdf5, netcdf, zarr, tfrecord, "
    "image-folder, audio, text, xml, other": "csv",
    "number of records (rows, images, ...)": "3",
    "column name": "sepal_length_cm",
    "data type, one of string, integer, float, boolean, date, datetime, category, image, audio, "
    "text, binary, array": "float",
    "role, one of feature, target, identifier, metadata": "feature",
    "what the column holds": "Sepal length",
    "how the data were collected and processed": "Measured by hand with a ruler.",
    "where the data come from: instrument, survey, upstream dataset with its URL":
        "Field survey of the test institute.",
    "file name in this folder, e.g. data.csv, or use url instead of path": "data.csv",
    "media type, e.g. text/csv or application/vnd.apache.parquet": "text/csv",
    # dataset card
    "what the data are, how many records, what they are for": "Three flowers.",
    "how, where and when the data were collected and processed": "By hand.",
    "the files, the columns with their units, and the splits": "One CSV file.",
    "personal data, consent, known biases and limitations": "No personal data.",
    "the licence of the data, and whom to credit": "CC-BY-4.0",
    "how to cite the data": "Lovelace, A. (2025). Flowers.",
    # experiment
    "what the run did, with which data and settings, and what it produced": LONG,
    "SPDX licence id of the code and logs, e.g. Apache-2.0": "Apache-2.0",
    "start as ISO 8601 date-time with time zone, e.g. 2025-01-31T08:00:00Z":
        "2025-01-31T08:00:00Z",
    "end as ISO 8601 date-time with time zone, e.g. 2025-01-31T12:00:00Z":
        "2025-01-31T08:10:00Z",
    "learning rate": "0.5",
    "number of epochs": "10",
    "https URL of the code repository": "https://git.example.org/iris",
    "git commit hash of the code that ran": "0123456789abcdef0123456789abcdef01234567",
    "Python version, e.g. 3.11.7": "3.11.7",
    "pinned package, e.g. torch==2.4.1": "numpy==2.1.0",
    "dataset slug": "new-dataset",
    "slug of the model this run produced": "new-model",
    "metric name, e.g. test_accuracy": "test_accuracy",
    "metric type, one of loss, accuracy, precision, recall, f1, auc, error, throughput, other":
        "accuracy",
    "value": "0.93",
    "resource slug; add it first with omh new resource SLUG": "new-resource",
    "run time in seconds": "600",
    # workflow
    "what the code does, which model it trains or runs, from which data; two to five sentences":
        LONG,
    "SPDX licence id of the code, e.g. Apache-2.0 or MIT": "MIT",
    "git commit hash of this version of the code, from git rev-parse HEAD":
        "0123456789abcdef0123456789abcdef01234567",
    "programming language, e.g. Python": "Python",
    "the command that runs it from the repository's root, e.g. python train.py --config "
    "config.yaml": "python train.py --epochs 10",
    "input name, e.g. training data": "measurements",
    "format of the input, e.g. CSV": "CSV",
    "what the input holds": "Flower measurements in centimetres",
    "output name, e.g. trained model": "model",
    "format of the output, e.g. ONNX": "ONNX",
    "what the output holds": "The trained classifier",
    # workflow card
    "what the code does, and which models it trains or runs": "Trains models/new-model.",
    "what it reads and writes, with their formats, and the parameters it takes":
        "Reads data.csv, writes model.onnx.",
    "how to get the runtime environment: pinned packages, an environment file or a container "
    "image": "pip install numpy==2.1.0",
    "the exact commands that set up the environment and run the workflow":
        "python train.py --epochs 10",
    "what it does not do, the hardware it needs, known issues": "One CPU core is enough.",
    "the licence of the code": "MIT",
    "how to cite the workflow, e.g. a BibTeX entry": "Lovelace, A. (2025). Iris training.",
    # resource
    "what the machine is and what it is used for": "A desktop computer in the lab.",
    "CPU model": "AMD Ryzen 7",
    "number of CPU cores": "8",
    "memory in GB": "32",
    "ISO 3166-1 alpha-2 country code, e.g. DE; it sets the grid's carbon intensity": "DE",
    # researcher
    "first name": "Grace",
    "last name": "Hopper",
    "ORCID iD, e.g. 0000-0002-1825-0097, or delete the line": "0000-0002-1694-233X",
    # organization
    "ROR id without https://ror.org/, e.g. 05gq02987, or delete the line": "05gq02987",
    "https URL of the organisation": "https://www.example.org/",
    "ISO 3166-1 alpha-2 country code, e.g. DE": "DE",
}


def fill(text: str, digests: tuple[str, int]) -> str:
    """Replace every placeholder as a contributor would."""
    sha, size = digests

    def replace(match: re.Match[str]) -> str:
        hint = " ".join(match.group(1).split())
        assert hint in FILLS, f"the test does not know how to fill '{hint}'"
        return FILLS[hint].replace("SHA", sha).replace("SIZE", str(size))

    return PLACEHOLDER.sub(replace, text)


def _fill_record(root: Path, record_id: str, digests: tuple[str, int] = ("", 0)) -> None:
    for path in sorted((root / record_id).iterdir()):
        if path.suffix in (".yaml", ".md"):
            path.write_text(fill(path.read_text(encoding="utf-8"), digests), encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_catalogue(tmp_path, dict(minimal_records()))


@pytest.mark.parametrize("kind", list(KINDS))
def test_new_writes_a_commented_template(root: Path, kind: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", kind, f"new-{kind}", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    folder = root / KINDS[kind].folder / f"new-{kind}"
    record = (folder / "record.yaml").read_text(encoding="utf-8")
    assert f"omh validate {KINDS[kind].folder}/new-{kind}" in out
    assert record.startswith("# ") and f"kind: {kind}\n" in record
    assert list(find_placeholders(record))
    assert (folder / "README.md").is_file() == (KINDS[kind].card is not None)
    assert yaml.safe_load(record)["kind"] == kind  # valid YAML as it stands


def test_unfilled_template_reports_each_placeholder_once(root: Path) -> None:
    assert main(["new", "model", "new-model", "--root", str(root)]) == 0
    findings, _ = validate(root, [root / "models/new-model"])
    assert findings and all(f.rule == "placeholder" for f in findings)
    lines = [f for f in findings if f.location.path == "models/new-model/record.yaml"]
    licence = next(f for f in lines if "SPDX licence id" in f.message)
    text = (root / "models/new-model/record.yaml").read_text(encoding="utf-8").splitlines()
    assert text[licence.location.line - 1].startswith("license: <FILL")
    assert licence.location.column == text[licence.location.line - 1].index("<FILL") + 1
    assert "placeholder left to fill in: SPDX licence id of the weights and code" in \
        licence.message


def test_filled_templates_validate_and_reach_the_minimum(root: Path) -> None:
    (root / "catalogue.yaml").write_text("title: Test\nquality:\n  minimum_score: 60\n",
                                         encoding="utf-8")
    for kind in KINDS:
        assert main(["new", kind, f"new-{kind}", "--root", str(root)]) == 0
    (root / "models/new-model/model.safetensors").write_bytes(MODEL_FILE)
    (root / "datasets/new-dataset/data.csv").write_bytes(DATA_FILE)
    _fill_record(root, "models/new-model", (MODEL_SHA, MODEL_SIZE))
    _fill_record(root, "datasets/new-dataset", (DATA_SHA, DATA_SIZE))
    for record_id in ("experiments/new-experiment", "workflows/new-workflow",
                      "resources/new-resource",
                      "researchers/new-researcher", "organizations/new-organization"):
        _fill_record(root, record_id)
    paths = [root / KINDS[kind].folder / f"new-{kind}" for kind in KINDS]
    findings, scope = validate(root, paths)
    assert [f for f in findings if f.severity is Severity.ERROR] == [], findings
    assert set(scope.named) == {f"{KINDS[k].folder}/new-{k}" for k in KINDS}
    findings, _ = validate(root)  # and the whole catalogue with them
    assert [f for f in findings if f.severity is Severity.ERROR] == []


def test_new_refuses_bad_input(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "modle", "x", "--root", str(root)]) == 2
    assert "unknown kind 'modle'; expected one of model, dataset" in capsys.readouterr().err
    assert main(["new", "model", "My_Model", "--root", str(root)]) == 2
    assert "e.g. 'my-model'" in capsys.readouterr().err
    assert main(["new", "models", "test-model", "--root", str(root)]) == 2
    assert "models/test-model/record.yaml already exists" in capsys.readouterr().err
    assert (root / "models/test-model/record.yaml").read_text(encoding="utf-8").startswith(
        "kind: model")


def test_name_and_researcher_names_are_prefilled() -> None:
    files = render(KINDS["model"], "iris-net", "Iris: a net").files
    assert 'name: "Iris: a net"' in files["record.yaml"]  # quoted: the colon stays text
    assert files["README.md"].startswith("# Iris: a net\n")
    person = render(KINDS["researcher"], "grace-hopper", "Grace Brewster Hopper").files
    assert 'first_name: "Grace Brewster"' in person["record.yaml"]
    assert 'last_name: "Hopper"' in person["record.yaml"]


def test_find_placeholders_spanning_lines() -> None:
    text = "a: 1\nb: >-\n  <FILL two\n  lines>\nc: <FILL x>\n"
    assert list(find_placeholders(text)) == [(3, 3, "two lines"), (5, 4, "x")]
