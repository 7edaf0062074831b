"""A model card's metadata to a model record: framework, task and model type, subjects, the
uses and limitations sections, base model and training datasets catalogued already, and the
model-index's evaluations."""

from __future__ import annotations

import re
from typing import Any

from huggingface_hub import EvalResult
from huggingface_hub.repocard_data import model_index_to_eval_results

from catalogue.importers.huggingface.card_text import SHORT_LIMIT, TEXT_LIMIT, clip, sections_text
from catalogue.importers.huggingface.common_fields import OTHER, strings, subjects
from catalogue.importers.huggingface.source import Source
from catalogue.load.schema_check import enum_values
from catalogue.load.store import RecordStore
from catalogue.model.card import Card
from catalogue.model.card_sections import MODEL_CARD_SECTIONS
from catalogue.model.ids import SLUG, suggest_slug
from catalogue.model.pointers import parse_hf_url

# The schema's frameworks under their own names, and the Hub libraries built on one of them.
FRAMEWORKS = {
    **{name: name for name in enum_values("framework") if name != OTHER},
    "torch": "pytorch", "timm": "pytorch", "diffusers": "pytorch",
    "sentence-transformers": "pytorch", "peft": "pytorch", "speechbrain": "pytorch",
    "pyannote-audio": "pytorch", "fastai": "pytorch", "flair": "pytorch", "open_clip": "pytorch",
    "tf": "tensorflow", "tf-keras": "keras", "flax": "jax", "sklearn": "scikit-learn",
}
MODEL_TYPES = {
    "classification": ("text-classification", "token-classification", "image-classification",
                       "audio-classification", "video-classification", "tabular-classification",
                       "zero-shot-classification", "zero-shot-image-classification"),
    "regression": ("tabular-regression",),
    "object-detection": ("object-detection", "zero-shot-object-detection"),
    "segmentation": ("image-segmentation", "mask-generation"),
    "language-model": ("text-generation", "text2text-generation", "fill-mask", "translation",
                       "summarization", "question-answering", "conversational",
                       "table-question-answering", "image-text-to-text",
                       "automatic-speech-recognition"),
    "embedding": ("feature-extraction", "sentence-similarity", "image-feature-extraction"),
    "generative": ("text-to-image", "image-to-image", "text-to-speech", "text-to-audio",
                   "text-to-video", "unconditional-image-generation", "image-to-video"),
    "reinforcement-learning": ("reinforcement-learning", "robotics"),
    "time-series-forecasting": ("time-series-forecasting",),
}
BASELINE = re.compile(r"baseline|reference model|previous sota", re.IGNORECASE)
THOUSANDS = re.compile(r"^\s*\d{1,3}(,\d{3})+(\.\d+)?\s*$")
MODEL_TYPE_OF_TASK = {task: model_type for model_type, tasks in MODEL_TYPES.items()
                      for task in tasks}


def hub_index(store: RecordStore) -> dict[tuple[str, str], str]:
    """(repo type, Hub repo id) -> the catalogue record whose artefacts live in that repo."""
    index: dict[tuple[str, str], str] = {}
    for record_id in store.ids("model") + store.ids("dataset"):
        record = store.get(record_id)
        if record is None:
            continue
        for _, entry in record.values_at(("artefacts", "*")):
            url = entry.get("url") if isinstance(entry, dict) else None
            if isinstance(url, str) and url.startswith("hf://"):
                try:
                    location = parse_hf_url(url)
                except Exception:
                    continue
                index.setdefault((location.repo_type or "model", location.repo_id), record_id)
    return index


def map_model(card: Card, data: dict[str, Any], source: Source, names: set[str],
              hub: dict[tuple[str, str], str], record: dict[str, Any], notes: list[str]) -> None:
    """The model's fields; ``names`` are the names the model goes by (to tell its own
    model-index results from a baseline's)."""
    library = data.get("library_name")
    tags = strings(data.get("tags"))
    framework = FRAMEWORKS.get(str(library).lower()) if isinstance(library, str) else None
    framework = framework or next((FRAMEWORKS[t.lower()] for t in tags
                                   if t.lower() in FRAMEWORKS), None)
    record["framework"] = framework or OTHER
    if framework is None:
        notes.append("framework: the card names no library the catalogue knows; 'other'")
    task = data.get("pipeline_tag")
    task = task if isinstance(task, str) and SLUG.match(task) else None
    if task is None:  # older cards name the task only among their tags
        task = next((t for t in tags if t in MODEL_TYPE_OF_TASK), None)
    record["model_type"] = MODEL_TYPE_OF_TASK.get(task or "", OTHER)
    if task:
        record["task"] = task
    found_subjects = subjects([*tags, *([task] if task else [])])
    if found_subjects:
        record["subjects"] = found_subjects
    for key, heading in (("intended_use", "Intended use"), ("out_of_scope_use", "Out-of-scope use"),
                         ("limitations", "Limitations")):
        section = next(s for s in MODEL_CARD_SECTIONS if s.heading == heading)
        text = sections_text(card, section)
        if text:
            record[key] = clip(text, TEXT_LIMIT)
    bases = strings(data.get("base_model"))
    for base in bases:
        if (found := hub.get(("model", base))) is not None and "base_model" not in record:
            record["base_model"] = found
        else:
            notes.append(f"base_model: {base} is not in the catalogue; import it (omh import-hf "
                         f"{base}) and set base_model: models/<its slug>")
    datasets: list[str] = []
    for dataset in strings(data.get("datasets")):
        found = hub.get(("dataset", dataset))
        if found is not None:
            datasets.append(found)
        else:
            notes.append(f"training_datasets: {dataset} is not in the catalogue; import it (omh "
                         f"import-hf datasets/{dataset}) and list it")
    if datasets:
        record["training_datasets"] = list(dict.fromkeys(datasets))
    results = own_eval_results(data, names, notes)
    evaluations = _evaluations(results, hub, notes)
    if evaluations:
        record["evaluations"] = evaluations
    tasks = list(dict.fromkeys(str(r.task_type) for r in results
                               if r.task_type and SLUG.match(str(r.task_type))))
    if "task" not in record and tasks:
        record["task"] = tasks[0]
        record["model_type"] = MODEL_TYPE_OF_TASK.get(tasks[0], OTHER)
        found_subjects = subjects([*tags, tasks[0]])
        if found_subjects:
            record["subjects"] = found_subjects
    elif record.get("task") and tasks and record["task"] not in tasks:
        notes.append(f"task: the card's pipeline_tag is {record['task']}, its model-index "
                     f"evaluates {', '.join(tasks)}; check which the model does")
    where = f"hf://{source.repo_id}@<commit>/<file>" if source.repo_id \
        else "hf://<repo>@<commit>/<file>"
    notes.append(f"artefacts: list the model's files ({where} or paths in the folder) with "
                 "sha256 and size_bytes; export ONNX with samples for the parity check")


def _same_name(name: str, names: set[str]) -> bool:
    short = name.rsplit("/", 1)[-1]
    return any(short.lower() == n.lower() or suggest_slug(short) == suggest_slug(n)
               for n in names if n)


def own_eval_results(data: dict[str, Any], names: set[str], notes: list[str]) -> list[EvalResult]:
    """The model-index results that are the model's own: the entries named like the model (or
    the first entry when none is), without the metrics named as a baseline's. What is left out
    is named in the notes."""
    entries = [e for e in data.get("model-index") or [] if isinstance(e, dict)]
    if not entries:
        return []
    own = [e for e in entries if _same_name(str(e.get("name", "")), names)] or entries[:1]
    for entry in entries:
        if entry not in own:
            notes.append(f"evaluations: left out the model-index results of {entry.get('name')!r}"
                         " (another model, such as a baseline); cite them in the card's text")
    results: list[EvalResult] = []
    for entry in own:
        _, entry_results = model_index_to_eval_results([entry])
        for result in entry_results:
            said = " ".join(str(v) for v in (result.metric_name, result.metric_type) if v)
            if BASELINE.search(said):
                notes.append(f"evaluations: left out {said!r} = {result.metric_value} (a "
                             "baseline's figure, not the model's)")
                continue
            results.append(result)
    return results


def _evaluations(results: list[EvalResult], hub: dict[tuple[str, str], str],
                 notes: list[str]) -> list[dict[str, Any]]:
    evaluations: list[dict[str, Any]] = []
    for result in results:
        value = result.metric_value
        metric = result.metric_name or result.metric_type
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "")) if THOUSANDS.match(value) else float(value)
            except ValueError:
                notes.append(f"evaluations: left out {metric} = {value!r} (not a number)")
                continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not metric:
            continue
        entry: dict[str, Any] = {"metric": clip(str(metric), 100), "value": value}
        dataset_type = result.dataset_type
        found = hub.get(("dataset", str(dataset_type))) if dataset_type else None
        if found:
            entry["dataset"] = found
        split = result.dataset_split
        if isinstance(split, str) and split.strip():
            entry["split"] = clip(split, 100)
        dataset = result.dataset_name or dataset_type or ""
        if result.dataset_name and dataset_type and dataset_type != result.dataset_name:
            dataset = f"{result.dataset_name} ({dataset_type})"
        parts = [str(dataset)]
        if result.dataset_config:
            parts.append(f"config {result.dataset_config}")
        task = result.task_name or result.task_type
        if task:
            parts.append(f"task {task}" + (f" ({result.task_type})" if result.task_name
                                           and result.task_type else ""))
        if result.metric_name and result.metric_type and result.metric_type != result.metric_name:
            parts.append(f"metric type {result.metric_type}")
        description = ", ".join(p for p in parts if p)
        if description:
            entry["description"] = clip(description, SHORT_LIMIT)
        evaluations.append(entry)
    return evaluations
