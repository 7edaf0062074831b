"""A model's card: the sections seed 001 asks for (with the heading expected), the inference
command in a fenced code block, and the names of the model's tensors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from card_helpers import MODEL, model_catalogue
from conftest import MODEL_CARD, findings_for

from catalogue.model.card_sections import MODEL_CARD_SECTIONS


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
    root = model_catalogue(tmp_path, _without(MODEL_CARD, section.heading))
    (finding,) = findings_for(root)
    assert finding.severity == "error" and finding.rule == "card-section"
    assert finding.location.path == f"{MODEL}/README.md"
    assert f"expected a heading '## {section.heading}'" in finding.message


def test_a_model_without_a_card(tmp_path: Path) -> None:
    root = model_catalogue(tmp_path)
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
    assert findings_for(model_catalogue(tmp_path, HUB_STYLE)) == []


def test_empty_sections_and_a_missing_command(tmp_path: Path) -> None:
    card = MODEL_CARD.replace("It was trained on very little data.\n", "")
    card = card.replace("```\npython inference.py sample.npy\n```", "Run the script.")
    findings = {f.message.split(";")[0]: f for f in findings_for(model_catalogue(tmp_path, card))}
    empty = findings["section 'Limitations' is empty"]
    assert empty.severity == "error" and empty.location.line == card.splitlines().index(
        "## Limitations") + 1
    assert findings["section 'How to run' has no fenced code block"].severity == "warning"


def test_tensor_names_from_the_record_appear_in_the_card(tmp_path: Path) -> None:
    root = model_catalogue(tmp_path, input_schema=[
        {"name": "pixels", "dtype": "float32", "shape": ["batch", 4]}])
    (finding,) = findings_for(root)
    assert finding.severity == "warning"
    assert "does not name the input tensor 'pixels' of input_schema" in finding.message
