"""Class labels agree across the record's class_labels, labels.json, the card's Outputs list
and the class axis of output_schema."""

from __future__ import annotations

import json
from pathlib import Path

from card_helpers import MODEL, model_catalogue
from conftest import MODEL_CARD, findings_for, minimal_records, write_record
from parity_helpers import sha256

from catalogue.check.labels import numbered_list


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
    card = MODEL_CARD.replace("1. first\n2. second\n", "first and second\n")
    (finding,) = findings_for(model_catalogue(tmp_path, card, class_labels=["first", "second"]))
    assert finding.severity == "warning"
    assert "no numbered list of the class names" in finding.message


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
