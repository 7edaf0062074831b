"""Model cards: the sections seed 001 asks for (with the heading expected), class labels that
agree across record, card and labels.json, credentials and private paths, pickle-only
packages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MODEL_CARD, findings_for, minimal_records, write_catalogue, write_record
from parity_helpers import sha256

from catalogue.check.cards import MODEL_CARD_SECTIONS, numbered_list, parse_card, scan_text

MODEL = "models/test-model"


def _catalogue(root: Path, card: str = MODEL_CARD, **changes: Any) -> Path:
    records = minimal_records()
    records[MODEL].update(changes)
    write_catalogue(root, dict(records))
    (root / MODEL / "README.md").write_text(card, encoding="utf-8")
    return root


def _without(card: str, heading: str) -> str:
    """The card without the section under ``heading``."""
    lines, skipping = [], False
    for line in card.splitlines(keepends=True):
        if line.startswith("## "):
            skipping = line.strip() == f"## {heading}"
        if not skipping:
            lines.append(line)
    return "".join(lines)


def test_the_sections_are_declared_once() -> None:
    assert [s.heading for s in MODEL_CARD_SECTIONS] == [
        "What it predicts", "Intended use", "Out-of-scope use", "Limitations", "Inputs",
        "Outputs", "Training data", "How to run", "License", "Citation"]


def test_a_complete_card_has_no_findings(catalogue: Path) -> None:
    assert findings_for(catalogue) == []


@pytest.mark.parametrize("section", MODEL_CARD_SECTIONS, ids=lambda s: s.heading)
def test_each_missing_section_names_the_heading_expected(tmp_path: Path, section: Any) -> None:
    root = _catalogue(tmp_path, _without(MODEL_CARD, section.heading))
    (finding,) = findings_for(root)
    assert finding.severity == "error" and finding.rule == "card-section"
    assert finding.location.path == f"{MODEL}/README.md"
    assert f"expected a heading '## {section.heading}'" in finding.message


def test_a_model_without_a_card(tmp_path: Path) -> None:
    root = _catalogue(tmp_path)
    (root / MODEL / "README.md").unlink()
    (finding,) = findings_for(root)
    assert finding.rule == "card" and "add README.md" in finding.message
    assert finding.location.path == f"{MODEL}/record.yaml"


HUB_STYLE = """---
license: mit
---
# Test Model

## Model Details
A classifier.

## Uses

### Direct Use
Tests.

### Out-of-Scope Use
Anything else.

## Bias, Risks, and Limitations
Little data.

## Inputs and outputs
Four floats in; two classes out:

1. first
2. second

## Training Details
datasets/test-data

## How to Get Started with the Model
```python
# ## Not a heading: this is code
import model
```

## Licence
MIT

## How to cite
Test Model (2025).
"""


def test_reasonable_synonyms_are_accepted(tmp_path: Path) -> None:
    assert findings_for(_catalogue(tmp_path, HUB_STYLE)) == []


def test_headings_in_code_blocks_do_not_count() -> None:
    card = "# T\n\n```\n## Limitations\n```\n"
    assert [s.heading.text for s in parse_card(card)] == ["", "T"]


def test_empty_sections_and_a_missing_command(tmp_path: Path) -> None:
    card = MODEL_CARD.replace("It was trained on very little data.\n", "")
    card = card.replace("```\npython inference.py sample.npy\n```", "Run the script.")
    findings = {f.message.split(";")[0]: f for f in findings_for(_catalogue(tmp_path, card))}
    empty = findings["section 'Limitations' is empty"]
    assert empty.severity == "error" and empty.location.line == card.splitlines().index(
        "## Limitations") + 1
    assert findings["section 'How to run' has no fenced code block"].severity == "warning"


def test_tensor_names_from_the_record_appear_in_the_card(tmp_path: Path) -> None:
    root = _catalogue(tmp_path, input_schema=[
        {"name": "pixels", "dtype": "float32", "shape": ["batch", 4]}])
    (finding,) = findings_for(root)
    assert finding.severity == "warning"
    assert "does not name the input tensor 'pixels' of input_schema" in finding.message


# -- labels --------------------------------------------------------------------------------


def test_card_labels_must_follow_the_record(tmp_path: Path) -> None:
    root = _catalogue(tmp_path, class_labels=["second", "first"])
    (finding,) = findings_for(root)
    assert finding.rule == "labels" and finding.location.path == f"{MODEL}/README.md"
    assert finding.location.line == MODEL_CARD.splitlines().index("1. first") + 1
    assert "names the classes in another order: class 1 is 'first' there but 'second'" \
        in finding.message


def test_labels_json_must_follow_the_record(tmp_path: Path) -> None:
    root = _catalogue(tmp_path, class_labels=["first", "second"])
    labels = json.dumps({"0": "first", "1": "second", "2": "third"}).encode()
    (root / MODEL / "labels.json").write_bytes(labels)
    records = minimal_records()
    records[MODEL].update(class_labels=["first", "second"], artefacts=[{
        "path": "labels.json", "sha256": sha256(labels), "size_bytes": len(labels),
        "media_type": "application/json", "role": "labels"}])
    write_record(root, MODEL, records[MODEL], card=MODEL_CARD)
    (finding,) = findings_for(root)
    assert finding.field == "class_labels"
    assert "labels.json has 3 class name(s) but class_labels in record.yaml has 2" \
        in finding.message


def test_a_classifier_card_lists_its_classes(tmp_path: Path) -> None:
    card = MODEL_CARD.replace("1. first\n2. second\n", "first and second\n")
    (finding,) = findings_for(_catalogue(tmp_path, card, class_labels=["first", "second"]))
    assert finding.severity == "warning"
    assert "no numbered list of the class names" in finding.message


def test_the_class_axis_has_one_entry_per_label(tmp_path: Path) -> None:
    card = MODEL_CARD.replace("Probabilities over", "Tensor `scores` holds probabilities over")
    root = _catalogue(tmp_path, card, class_labels=["first", "second"], output_schema=[
        {"name": "scores", "dtype": "float32", "shape": ["batch", 3]}])
    (finding,) = findings_for(root)
    assert "2 class name(s), but no output in output_schema has 2 classes" in finding.message


def test_numbered_list_names() -> None:
    lines = list(enumerate(["1. `no_change` - nothing", "2. **forest_loss**: trees",
                            "3) glacier retreat (ice)", "", "Later text"], start=1))
    assert [n for _, n in numbered_list(lines)] == ["no_change", "forest_loss",
                                                    "glacier retreat"]


# -- credentials and private paths ---------------------------------------------------------


TOKEN = "hf_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"


def test_credentials_in_the_card_are_errors_with_their_line(tmp_path: Path) -> None:
    card = MODEL_CARD.replace("python inference.py sample.npy",
                              f"HF_TOKEN={TOKEN} python inference.py sample.npy")
    (finding,) = findings_for(_catalogue(tmp_path, card))
    assert finding.severity == "error" and finding.rule == "credentials"
    assert finding.location.path == f"{MODEL}/README.md"
    assert finding.location.line == card.splitlines().index(
        f"HF_TOKEN={TOKEN} python inference.py sample.npy") + 1
    assert "a Hugging Face token" in finding.message


def test_credentials_and_private_paths_in_records(tmp_path: Path) -> None:
    root = _catalogue(tmp_path, limitations=(
        "Weights were read from /home/alice/models/x.pt and C:\\Users\\bob\\data.csv "
        "with access key AKIAIOSFODNN7EXAMPLE."))
    findings = sorted(findings_for(root), key=lambda f: (f.rule, f.message))
    assert [(f.rule, f.severity) for f in findings] == [
        ("credentials", "error"), ("private-path", "warning"), ("private-path", "warning")]
    assert all(f.location.path == f"{MODEL}/record.yaml" and f.location.line > 1
               for f in findings)
    assert "an AWS access key id" in findings[0].message
    assert "/home/alice" in findings[1].message + findings[2].message


@pytest.mark.parametrize("text", [
    "token: <your token>", "password = ${DB_PASSWORD}", "api_key: os.environ['KEY']",
    "export HF_TOKEN=$HF_TOKEN", "See https://example.org/home/page", "/home/ is a folder",
    "sha256: " + "ab" * 32, "tokenizer: bert-base-uncased-whole-word",
])
def test_placeholders_are_not_credentials(text: str) -> None:
    assert list(scan_text(text)) == []


@pytest.mark.parametrize("text", [
    "-----BEGIN RSA PRIVATE KEY-----", "ghp_" + "a1" * 18, "password: Sup3rSecretValue99",
    "https://user:hunter2pass@example.org/x", "AIza" + "B" * 35,
])
def test_credentials_are_found(text: str) -> None:
    assert [severity for *_, severity, _ in scan_text(text)] == ["error"]


# -- portability ---------------------------------------------------------------------------


def _pointer(name: str, role: str) -> dict[str, Any]:
    return {"url": f"https://data.example/{name}", "sha256": "a" * 64, "size_bytes": 1,
            "media_type": "application/octet-stream", "role": role}


def test_a_package_of_only_pickles_is_not_portable(tmp_path: Path) -> None:
    root = _catalogue(tmp_path, artefacts=[_pointer("model.pt", "weights"),
                                           _pointer("model.ckpt", "checkpoint")])
    (finding,) = findings_for(root)
    assert finding.rule == "portability" and finding.severity == "warning"
    assert "only as pickle-based file(s) (model.pt, model.ckpt)" in finding.message
    assert "model.onnx" in finding.message


def test_pickles_next_to_a_portable_artefact_are_fine(tmp_path: Path) -> None:
    root = _catalogue(tmp_path, artefacts=[
        _pointer("model.pt", "weights"), _pointer("model.safetensors", "weights")])
    assert findings_for(root) == []
