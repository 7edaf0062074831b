"""Class labels agree across the record's class_labels, labels.json, the safetensors metadata,
the card's Outputs section (numbered list, inline list, table) and the class axis of
output_schema: a disagreement in order between any two of them is an error."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from card_helpers import MODEL, model_catalogue
from conftest import MODEL_CARD, findings_for, minimal_records, write_record
from parity_helpers import sha256

from catalogue.check.labels import card_classes, numbered_list


def test_card_labels_must_follow_the_record(tmp_path: Path) -> None:
    root = model_catalogue(tmp_path, class_labels=["second", "first"])
    (finding,) = findings_for(root)
    assert finding.rule == "labels" and finding.location.path == f"{MODEL}/README.md"
    assert finding.location.line == MODEL_CARD.splitlines().index("1. first") + 1
    assert "names the classes in another order: class 1 is 'first' there but 'second'" \
        in finding.message


def test_labels_json_must_follow_the_record(tmp_path: Path) -> None:
    root = model_catalogue(tmp_path, class_labels=["first", "second"])
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
    card = MODEL_CARD.replace("1. first\n2. second\n", "One score per class.\n")
    (finding,) = findings_for(model_catalogue(tmp_path, card, class_labels=["first", "second"]))
    assert finding.severity == "warning"
    assert "the card's Outputs section does not name the classes; list them in output order " \
           "(first, second)" in finding.message


# -- every place the classes are written, in every pair --------------------------------------

CLASSES = ["alpha", "beta", "gamma"]
SWAPPED = ["beta", "alpha", "gamma"]
CARD_FORMS = {
    "card list": lambda names: "".join(f"{i}. {n}\n" for i, n in enumerate(names, 1)),
    "card inline": lambda names: f"The classes are `{names[0]}`, `{names[1]}` and "
                                 f"`{names[2]}`, in this order.\n",
    "card table": lambda names: "| Index | Class |\n|---|---|\n" + "".join(
        f"| {i} | {n} |\n" for i, n in enumerate(names)),
}
SOURCES = ["record", "labels.json", "safetensors", *CARD_FORMS]


def _package(root: Path, labels: dict[str, list[str]]) -> Path:
    """The test model with the classes written in the places ``labels`` names."""
    from safetensors.numpy import save_file

    card_text = next((CARD_FORMS[k](v) for k, v in labels.items() if k in CARD_FORMS),
                     "One score per class.\n")
    card = MODEL_CARD.replace("1. first\n2. second\n", card_text)
    changes: dict[str, Any] = {"artefacts": []}
    if "record" in labels:
        changes["class_labels"] = labels["record"]
    model_catalogue(root, card, **changes)
    files: dict[str, bytes] = {}
    if "labels.json" in labels:
        files["labels.json"] = json.dumps(labels["labels.json"]).encode()
    if "safetensors" in labels:
        save_file({"w": np.zeros((3, 2), np.float32)}, str(root / "weights.tmp"),
                  metadata={"class_names": json.dumps(labels["safetensors"])})
        files["model.safetensors"] = (root / "weights.tmp").read_bytes()
    records = minimal_records()
    records[MODEL].update(changes, artefacts=[
        {"path": name, "sha256": sha256(content), "size_bytes": len(content),
         "media_type": "application/octet-stream",
         "role": "labels" if name.endswith(".json") else "weights"}
        for name, content in files.items()] or None)
    if records[MODEL]["artefacts"] is None:
        del records[MODEL]["artefacts"]
    write_record(root, MODEL, records[MODEL], card=card)
    for name, content in files.items():
        (root / MODEL / name).write_bytes(content)
    return root


PAIRS = [(a, b) for a, b in itertools.permutations(SOURCES, 2)
         if not (a in CARD_FORMS and b in CARD_FORMS)]


@pytest.mark.parametrize(("kept", "swapped"), PAIRS)
def test_a_swap_between_any_two_places_is_an_error(tmp_path: Path, kept: str,
                                                   swapped: str) -> None:
    root = _package(tmp_path, {kept: CLASSES, swapped: SWAPPED})
    errors = [f for f in findings_for(root) if f.severity == "error"]
    assert [f.rule for f in errors] == ["labels"], errors
    assert "in another order" in errors[0].message
    agreeing = _package(tmp_path / "agree", {kept: CLASSES, swapped: CLASSES})
    assert [f for f in findings_for(agreeing) if f.severity == "error"] == []


def test_safetensors_metadata_catches_a_swap_made_everywhere_else(tmp_path: Path) -> None:
    root = _package(tmp_path, {"record": SWAPPED, "labels.json": SWAPPED,
                               "card list": SWAPPED, "safetensors": CLASSES})
    (finding,) = [f for f in findings_for(root) if f.severity == "error"]
    assert "the 'class_names' metadata of model.safetensors names the classes in another " \
           "order: class 1 is 'alpha' there but 'beta' in class_labels in record.yaml" \
        in finding.message


def test_card_classes_inline_and_in_tables() -> None:
    inline = list(enumerate(["Scores for `gamma`, then beta,", "then alpha."], start=10))
    assert card_classes(inline, CLASSES) == (10, "inline list", ["gamma", "beta", "alpha"])
    table = list(enumerate(["| Class | Meaning |", "|---|---|", "| **beta** | b |",
                            "| alpha | a |", "| gamma | c |"], start=3))
    assert card_classes(table, CLASSES) == (5, "table", ["beta", "alpha", "gamma"])
    assert card_classes(list(enumerate(["alphabet soup", "no classes"])), CLASSES) is None


def test_the_class_axis_has_one_entry_per_label(tmp_path: Path) -> None:
    card = MODEL_CARD.replace("Probabilities over", "Tensor `scores` holds probabilities over")
    root = model_catalogue(tmp_path, card, class_labels=["first", "second"], output_schema=[
        {"name": "scores", "dtype": "float32", "shape": ["batch", 3]}])
    (finding,) = findings_for(root)
    assert "2 class name(s), but no output in output_schema has 2 classes" in finding.message


def test_numbered_list_names() -> None:
    lines = list(enumerate(["1. `no_change` - nothing", "2. **forest_loss**: trees",
                            "3) glacier retreat (ice)", "", "Later text"], start=1))
    assert [n for _, n in numbered_list(lines)] == ["no_change", "forest_loss",
                                                    "glacier retreat"]
