"""``omh import-hf``: Hugging Face model and dataset cards (written for these tests, offline)
become records that validate, with their reported emissions converted to grams."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import minimal_records, write_catalogue

from catalogue.derive.carbon_interop import EmissionsFormatError, card_emissions
from catalogue.derive.carbon_rollup import carbon_report
from catalogue.importers.huggingface import HfImportError, convert_co2, import_card, spdx_license
from catalogue.importers.huggingface import source as hf_source
from catalogue.link.catalogue import link
from catalogue.load.store import RecordStore
from catalogue.model.card import read_card
from catalogue.model.findings import Severity
from catalogue.model.placeholders import PLACEHOLDER
from catalogue.pipeline import validate
from omh.cli import main

CARDS = Path(__file__).parent / "hf_cards"
PEOPLE = ["--created-by", "researchers/ada-lovelace", "--organization",
          "organizations/test-institute"]
SST2_COMMIT = "3f8d" + "0" * 36


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A catalogue that already holds SST-2, published on the Hub."""
    records: dict[str, Any] = dict(minimal_records())
    sst2 = dict(records["datasets/test-data"], name="SST-2")
    sst2["artefacts"] = [{
        "url": f"hf://datasets/stanfordnlp/sst2@{SST2_COMMIT}/data/train.parquet",
        "sha256": "b" * 64, "size_bytes": 3110458,
        "media_type": "application/vnd.apache.parquet", "role": "data"}]
    records["datasets/sst2"] = sst2
    return write_catalogue(tmp_path, records)


def _import(root: Path, card: str, *extra: str) -> int:
    return main(["import-hf", str(CARDS / card), "--root", str(root), *PEOPLE, *extra])


def _record(root: Path, record_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / record_id / "record.yaml").read_text())
    return data


def _errors(root: Path, record_id: str) -> list[Any]:
    findings, _ = validate(root, [root / record_id])
    return [f for f in findings if f.severity is Severity.ERROR]


def test_full_model_card_validates_with_links_and_metrics(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _import(root, "distilbert-sst2.md") == 0
    record_id = "models/distilbert-base-uncased-finetuned-sst2"
    out = capsys.readouterr().out
    assert f"created {root / record_id / 'record.yaml'}" in out or "record.yaml" in out
    assert "base_model: distilbert/distilbert-base-uncased is not in the catalogue" in out
    assert _errors(root, record_id) == []
    record = _record(root, record_id)
    assert record["name"] == "DistilBERT base uncased, fine-tuned on SST-2"
    assert record["license"] == "Apache-2.0"
    assert (record["framework"], record["model_type"], record["task"]) == (
        "transformers", "classification", "text-classification")
    assert record["training_datasets"] == ["datasets/sst2"]
    assert record["subjects"] == ["sentiment-analysis", "movie-reviews", "text-classification"]
    assert record["evaluations"][0] == {
        "metric": "Accuracy", "value": 0.9106, "dataset": "datasets/sst2", "split": "validation",
        "description": "GLUE SST-2 (stanfordnlp/sst2), config default, task Text Classification "
                       "(text-classification), metric type accuracy"}
    assert record["intended_use"].startswith("Classifying the sentiment of English sentences")
    assert record["out_of_scope_use"].startswith("Texts in other languages")
    assert "Out-of-Scope" not in record["intended_use"]
    assert record["limitations"].startswith("The model inherits the biases")
    assert len(record["description"]) >= 100
    card = (root / record_id / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n") and "## License\n\nApache-2.0" in card
    assert "pipeline_tag: text-classification" in card  # the front matter round-trips


def test_reported_emissions_keep_grams_and_read_back_as_kilograms(root: Path) -> None:
    assert _import(root, "distilbert-sst2.md") == 0
    record_id = "models/distilbert-base-uncased-finetuned-sst2"
    report = carbon_report(link(RecordStore(root)))
    reported = report.models[record_id].reported
    assert reported is not None and reported.reported is not None
    assert reported.reported.grams == 149.2
    assert reported.reported.kg == pytest.approx(0.1492)
    assert reported.reported.training_type == "fine-tuning"
    assert reported.reported.geographical_location == "Helsinki, Finland"
    assert reported.reported.hardware_used == "1 x NVIDIA A100 40GB"


def test_bare_number_of_grams_and_a_licence_outside_spdx(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _import(root, "skops-penguins.md") == 0
    out = capsys.readouterr().out
    record_id = "models/penguin-species-classifier"
    assert _errors(root, record_id) == []
    record = _record(root, record_id)
    assert record["license"] == "LicenseRef-acme-research-license"
    assert "https://acme.example/licences/research-1.0" in out
    assert (record["framework"], record["task"]) == ("scikit-learn", "tabular-classification")
    assert "skops" not in record["subjects"] and "penguins" in record["subjects"]
    emissions = card_emissions(read_card(root / record_id / "README.md"))
    assert emissions is not None and emissions.reported is not None
    assert emissions.reported.grams == 1830 and emissions.reported.kg == pytest.approx(1.83)
    front = yaml.safe_load((root / record_id / "README.md").read_text().split("---")[1])
    assert front["co2_eq_emissions"] == {"emissions": 1830}  # Hugging Face's mapping form
    card = (root / record_id / "README.md").read_text(encoding="utf-8")
    assert "## What it predicts\n\nA gradient-boosted tree classifier" in card


def test_front_matter_closed_by_dots_and_a_setext_title_are_read(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (CARDS / "skops-penguins.md").read_text(encoding="utf-8")
    text = text.replace("co2_eq_emissions: 1830\n---\n", "co2_eq_emissions: 1830\n...\n", 1)
    text = text.replace("# Penguin species classifier\n",
                        "Penguin species classifier\n==========================\n", 1)
    path = tmp_path / "README.md"
    path.write_text(text, encoding="utf-8")
    assert main(["import-hf", str(path), "--root", str(root), *PEOPLE]) == 0
    assert "README.md:14: the front matter ended with '...'" in capsys.readouterr().out
    record_id = "models/penguin-species-classifier"
    assert _record(root, record_id)["name"] == "Penguin species classifier"
    written = read_card(root / record_id / "README.md")
    assert written is not None and written.problems == ()
    assert written.front_matter is not None and written.front_matter.closing == "---"
    emissions = card_emissions(written)
    assert emissions is not None and emissions.reported is not None
    assert emissions.reported.grams == 1830


def test_sparse_card_leaves_placeholders_that_validate_once_filled(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _import(root, "autotrain-reviews.md", "--slug", "review-sentiment") == 1
    out = capsys.readouterr().out
    assert "states no licence" in out and "added section '## Intended use'" in out
    assert "left to fill before the pull request" in out and "[placeholder]" in out
    record_id = "models/review-sentiment"
    errors = _errors(root, record_id)
    assert errors and {f.rule for f in errors} == {"placeholder"}
    assert any("SPDX licence id" in f.message and f.location.path.endswith("record.yaml")
               for f in errors)
    for name in ("record.yaml", "README.md"):
        path = root / record_id / name
        text = path.read_text(encoding="utf-8")
        text = text.replace("license: <FILL SPDX licence id; the card states none>",
                            "license: MIT")
        text = PLACEHOLDER.sub("Classifies English product reviews as positive or negative; "
                               "written by the reviewer of this import.", text)
        path.write_text(text, encoding="utf-8")
    assert _errors(root, record_id) == []
    record = _record(root, record_id)
    assert (record["task"], record["model_type"]) == ("text-classification", "classification")
    emissions = card_emissions(read_card(root / record_id / "README.md"))
    assert emissions is not None and emissions.reported is not None
    assert emissions.reported.grams == pytest.approx(0.021)


def test_dataset_card(root: Path) -> None:
    assert _import(root, "weather-dataset.md") == 0
    record_id = "datasets/baltic-weather-station-readings"
    assert _errors(root, record_id) == []
    record = _record(root, record_id)
    assert record["kind"] == "dataset" and record["license"] == "CC-BY-4.0"
    assert (record["format"], record["num_records"]) == ("parquet", 65000)
    assert record["splits"] == [{"name": "train", "num_records": 52000},
                                {"name": "test", "num_records": 13000}]
    condition = next(c for c in record["columns"] if c["name"] == "condition")
    assert condition["data_type"] == "category"
    assert condition["categories"] == ["clear", "cloudy", "rain", "snow"]
    assert [c["data_type"] for c in record["columns"][:4]] == [
        "string", "datetime", "float", "float"]
    assert record["collection_method"].startswith("Readings were exported")
    assert "format:parquet" not in record["subjects"]


@pytest.mark.parametrize(("value", "grams", "note"), [
    (149.2, 149.2, None),
    ("1.2 kg", 1200, "converted emissions '1.2 kg' to 1200 g"),
    ({"emissions": "350 g CO2eq", "training_type": "finetuning"}, 350, "to 350 g"),
    ({"emissions": 12, "cpu_model": "EPYC"}, 12, "dropped 'cpu_model: EPYC'"),
    ({"emissions": 5, "training_type": "distillation"}, 5, "dropped training_type"),
])
def test_co2_conversion(value: object, grams: float, note: str | None) -> None:
    converted, notes = convert_co2(value, "card.md:4")
    assert converted["emissions"] == grams
    assert set(converted) <= {"emissions", "source", "training_type", "geographical_location",
                              "hardware_used"}
    if isinstance(value, dict) and value.get("training_type") == "finetuning":
        assert converted["training_type"] == "fine-tuning"
    assert (note is None and not notes) or any(note and note in n for n in notes)


@pytest.mark.parametrize("value", ["lots", -3, {"source": "CodeCarbon"}, "12 parsecs"])
def test_co2_that_cannot_be_converted(value: object) -> None:
    with pytest.raises(EmissionsFormatError):
        convert_co2(value, "card.md:4")


@pytest.mark.parametrize(("hub", "spdx"), [
    ("apache-2.0", "Apache-2.0"), ("mit", "MIT"), ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"),
    ("gpl-3.0", "GPL-3.0-only"), ("odbl", "ODbL-1.0"), ("llama2", "LicenseRef-llama2"),
    ("openrail++", "LicenseRef-openrail"),
])
def test_licence_ids(hub: str, spdx: str) -> None:
    assert spdx_license(hub) == spdx


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "card.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ((CARDS / "broken-front-matter.md").read_text(), r"card\.md:6:13: the card's YAML front "
     r"matter cannot be read: YAML syntax error"),
    ("---\nlicense: mit\nlicense: apache-2.0\n---\n# X\n",
     r"card\.md:3:1: .*duplicate key 'license' .*first defined on line 2"),
    ("---\nlicense: mit\nmodel-index:\n- results: []\n---\n# X\n",
     r"card\.md:3:1: model-index cannot be read \(missing key 'name'\); expected a list of"),
    ("---\nlicense: mit\nco2_eq_emissions:\n  emissions: -4\n---\n# X\n",
     r"card\.md:3: co2_eq_emissions\.emissions: expected a number of grams of CO2e >= 0"),
    ("---\n- a list\n---\n# X\n", r"card\.md:2:1: the card's front matter is a list; "
     r"expected a mapping"),
    ("---\nlicense: mit\n# X\n", r"card\.md:1:1: the YAML front matter opened with '---' is "
     r"never closed"),
])
def test_malformed_cards_say_where_and_what(
        tmp_path: Path, text: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    path = _write(tmp_path, text)
    assert main(["import-hf", str(path), "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert re.search(expected, err), err
    assert "Traceback" not in err
    assert not (root / "models/x").exists()


def test_refuses_overwriting_and_unknown_people(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _import(root, "skops-penguins.md") == 0
    assert _import(root, "skops-penguins.md") == 2
    assert "already exists; choose another --slug, or pass --force" in capsys.readouterr().err
    assert _import(root, "skops-penguins.md", "--force") == 0
    assert main(["import-hf", str(CARDS / "skops-penguins.md"), "--root", str(root),
                 "--created-by", "researchers/nobody"]) == 2
    assert "--created-by researchers/nobody: no such researcher" in capsys.readouterr().err


def test_hub_repository_ids_download_the_card(root: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []

    def fake_download(repo_id: str, repo_type: str) -> str:
        calls.append((repo_id, repo_type))
        return (CARDS / "weather-dataset.md").read_text(encoding="utf-8")

    monkeypatch.setattr(hf_source, "_download", fake_download)
    imported = import_card("datasets/baltic-obs/weather-readings", RecordStore(root))
    assert calls == [("baltic-obs/weather-readings", "dataset")]
    assert imported.record_id == "datasets/weather-readings"
    assert imported.record["source"] == (
        "Hugging Face Hub: https://huggingface.co/datasets/baltic-obs/weather-readings")
    with pytest.raises(HfImportError, match="not a Hub repository id"):
        import_card("no such card.md", RecordStore(root))
    with pytest.raises(HfImportError, match=r"the folder holds no README\.md"):
        import_card(str(root / "resources"), RecordStore(root))
    assert len(calls) == 1


def test_dry_run_writes_nothing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _import(root, "distilbert-sst2.md", "--dry-run") == 0
    assert "kind: model" in capsys.readouterr().out
    assert not (root / "models/distilbert-base-uncased-finetuned-sst2").exists()


# -- faithful cards: structure, not text ---------------------------------------------------

def _card_file(tmp_path: Path, text: str, name: str = "README.md") -> Path:
    folder = tmp_path / "cards" / str(abs(hash(text)))
    folder.mkdir(parents=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_huggingface_template_card_gives_the_model_id_and_no_filler(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from huggingface_hub import ModelCard, ModelCardData

    card = ModelCard.from_template(ModelCardData(license="mit", library_name="timm",
                                                 pipeline_tag="image-classification"),
                                   model_id="eurosat-resnet18")
    path = _card_file(tmp_path, str(card))
    imported = import_card(str(path), RecordStore(root), created_by=["researchers/ada-lovelace"],
                           organization="organizations/test-institute")
    assert imported.record["name"] == "eurosat-resnet18" and imported.slug == "eurosat-resnet18"
    assert imported.record["description"].startswith("<FILL")  # no summary: nothing invented
    for key in ("intended_use", "out_of_scope_use", "limitations"):
        assert key not in imported.record, key
    assert "More Information Needed" not in str(imported.record)
    assert any("section 'Intended use' said only '[More Information Needed]'" in n
               for n in imported.notes)
    summary = "Classifies Sentinel-2 image patches into ten land-use classes."
    card = ModelCard.from_template(ModelCardData(license="mit"), model_id="eurosat-resnet18",
                                   model_summary=summary)
    imported = import_card(str(_card_file(tmp_path, str(card))), RecordStore(root))
    assert imported.record["description"] == summary


TRAINER_CARD = """---
license: apache-2.0
tags:
- generated_from_trainer
model-index:
- name: summarization_bot-base
  results:
  - task: {type: summarization, name: Summarization}
    dataset: {name: News Digest, type: acme/news_digest, split: test}
    metrics:
    - {type: rouge, value: 41.2, name: Rouge1}
    - {type: rouge, value: 38.0, name: Lead-3 baseline Rouge1}
- name: lead-3
  results:
  - task: {type: summarization}
    dataset: {name: News Digest, type: acme/news_digest}
    metrics:
    - {type: rouge, value: 38.0}
co2_eq_emissions:
  emissions: "1,200 g"
  source: CodeCarbon
---

<!-- This model card has been generated automatically according to the information the Trainer
had access to. You should probably proofread and complete it, then remove this comment. -->

```python
# Download model and tokenizer
from transformers import pipeline
```

This model summarises news with `resnet18.a1_in1k`-style naming kept: it was trained by
@summarization_bot on acme/news_digest, and its checkpoints are named like ckpt_epoch_3.

## Intended uses & limitations

More information needed

## Training procedure

- **Developed by:** [More Information Needed]
- learning_rate: 2e-05
"""


def test_comments_code_filler_and_underscores_never_become_text(root: Path,
                                                                tmp_path: Path) -> None:
    path = _card_file(tmp_path, TRAINER_CARD)
    imported = import_card(str(path), RecordStore(root), repo_id="acme/summarization_bot-base")
    record = imported.record
    assert record["name"] == "summarization_bot-base"
    assert imported.slug == "summarization-bot-base"
    description = record["description"]
    assert description.startswith("This model summarises news with resnet18.a1_in1k-style")
    assert "@summarization_bot" in description and "ckpt_epoch_3" in description
    assert "proofread" not in str(record) and "Download model" not in str(record)
    assert "intended_use" not in record and "limitations" not in record  # filler only
    # model-index: its own results, with their own metric names; the baselines left out
    assert record["evaluations"] == [{
        "metric": "Rouge1", "value": 41.2, "split": "test",
        "description": "News Digest (acme/news_digest), task Summarization (summarization), "
                       "metric type rouge"}]
    assert record["task"] == "summarization" and record["model_type"] == "language-model"
    notes = "\n".join(imported.notes)
    assert "left out 'Lead-3 baseline Rouge1 rouge' = 38.0" in notes
    assert "left out the model-index results of 'lead-3'" in notes
    assert "converted emissions '1,200 g' to 1200 g" in notes
    front = yaml.safe_load(imported.card.split("---")[1])
    assert front["co2_eq_emissions"]["emissions"] == 1200  # not 1.2


def test_generic_headings_give_slugs_from_the_repository(root: Path, tmp_path: Path) -> None:
    text = (CARDS / "autotrain-reviews.md").read_text(encoding="utf-8")
    store = RecordStore(root)
    first = import_card(str(_card_file(tmp_path, text)), store, repo_id="acme/autotrain-a-1")
    second = import_card(str(_card_file(tmp_path, text + "\n")), store,
                         repo_id="acme/autotrain-b-2")
    assert (first.slug, second.slug) == ("autotrain-a-1", "autotrain-b-2")
    assert first.record["name"] == "autotrain-a-1"
    assert "AutoTrain" not in first.record["name"]


@pytest.mark.parametrize("value", ["1,5 kg", "1,20 g", "12 parsecs"])
def test_ambiguous_or_unknown_quantities_are_refused(root: Path, tmp_path: Path,
                                                     value: str) -> None:
    text = f"---\nlicense: mit\nco2_eq_emissions: \"{value}\"\n---\n# X\n"
    with pytest.raises(HfImportError, match=r"README\.md:3: emissions .* is not a quantity"):
        import_card(str(_card_file(tmp_path, text)), RecordStore(root))


def test_a_card_section_of_template_filler_counts_as_empty(root: Path) -> None:
    from huggingface_hub import ModelCard, ModelCardData

    card = ModelCard.from_template(ModelCardData(license="mit"), model_id="test-model",
                                   model_summary="Sorts measurements into two classes.")
    (root / "models/test-model/README.md").write_text(str(card), encoding="utf-8")
    errors = _errors(root, "models/test-model")
    filler = [f.message for f in errors if "holds only template filler" in f.message]
    assert any(m.startswith("section 'Uses' holds only") for m in filler), filler
    assert any(m.startswith("section 'Bias, Risks, and Limitations'") for m in filler)
    from catalogue.derive.quality.criteria import check_card
    from catalogue.derive.quality.lookup import Lookup

    catalogue = link(RecordStore(root))
    verdict = check_card(catalogue.records["models/test-model"], Lookup(catalogue))
    assert verdict.status == "fail"
    assert "Intended use" in verdict.detail and "Limitations" in verdict.detail


def test_exported_co2_eq_emissions_import_to_the_same_grams(tmp_path: Path) -> None:
    from huggingface_hub import ModelCard, ModelCardData

    example = Path(__file__).resolve().parents[1]
    report = carbon_report(link(RecordStore(example)))
    exported = next((report.hf_co2_eq_emissions(m) for m in sorted(report.models)
                     if report.hf_co2_eq_emissions(m)), None)
    assert exported is not None, "the example catalogue has a model with a training run"
    card = ModelCard.from_template(ModelCardData(license="mit", co2_eq_emissions=exported),
                                   model_id="round-trip")
    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    imported = import_card(str(_card_file(tmp_path, str(card))), RecordStore(root))
    front = yaml.safe_load(imported.card.split("---")[1])
    assert front["co2_eq_emissions"]["emissions"] == exported["emissions"]
