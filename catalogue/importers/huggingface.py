"""Import a Hugging Face model or dataset card into the catalogue, for review.

The card (``README.md`` with YAML front matter) is read with huggingface_hub's card classes
(``ModelCard`` / ``DatasetCard`` and their ``ModelCardData`` / ``DatasetCardData``), after the
front matter has been read once with the catalogue's own line-aware YAML reader, so that a
malformed card is refused with the file, the line and what was expected.

What maps to the record:

* ``license`` -> ``license`` as an SPDX id (Hugging Face writes ``apache-2.0`` for
  ``Apache-2.0``; licences outside the SPDX list become ``LicenseRef-<name>``);
* ``tags`` (minus the Hub's technical tags), ``task_categories`` -> ``subjects``;
* ``pipeline_tag`` -> ``task`` and ``model_type``; ``library_name`` -> ``framework``;
* ``base_model`` and ``datasets`` -> ``base_model`` and ``training_datasets`` when the catalogue
  holds a record whose artefacts live in that Hub repository (otherwise named in the notes);
* ``model-index`` -> ``evaluations``;
* ``dataset_info`` -> ``num_records``, ``splits`` and ``columns``;
* ``co2_eq_emissions`` stays in the card's front matter, in Hugging Face's form with the figure
  in grams (a bare number, or text with a unit such as ``1.2 kg``, is converted), where the
  catalogue's carbon report reads it as the *reported* training emissions;
* the card's sections (uses, out-of-scope use, limitations) -> ``intended_use``,
  ``out_of_scope_use``, ``limitations``; the first paragraph -> ``description``.

What the card cannot say (who in the catalogue made it, the organisation, the files with their
checksums) is left as ``<FILL ...>`` placeholders or listed in the notes; a model card gets the
sections the catalogue's cards cover appended when missing, derived where the card's metadata
allows (licence, how to run a ``transformers`` model) and placeholders otherwise. Nothing is
written over an existing record unless asked.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from huggingface_hub import DatasetCard, ModelCard
from huggingface_hub.repocard import RepoCard

from catalogue.check.cards import (
    MODEL_CARD_SECTIONS,
    Section,
    find_section,
    parse_card,
    section_matches,
    section_text,
)
from catalogue.derive.carbon_interop import FIELD as CO2_FIELD
from catalogue.derive.carbon_interop import TEXT_KEYS as CO2_TEXT_KEYS
from catalogue.derive.carbon_interop import (
    EmissionsFormatError,
    ReportedEmissions,
    front_matter,
    parse_co2_eq_emissions,
)
from catalogue.derive.quality import DATASET_CARD_SECTIONS
from catalogue.load.store import RecordStore
from catalogue.model.ids import SLUG, suggest_slug
from catalogue.model.kinds import CARD_FILE, KINDS, RECORD_FILE, RecordKind
from catalogue.model.licenses import check_spdx_expression
from catalogue.model.placeholders import placeholder
from catalogue.model.pointers import parse_hf_url
from catalogue.model.yaml_source import YamlDocument, YamlError, parse_yaml

HUB_REPO = re.compile(r"^(?:(?P<type>datasets|models)/)?(?P<id>[A-Za-z0-9][A-Za-z0-9_.-]*"
                      r"/[A-Za-z0-9][A-Za-z0-9_.-]*)$")
DATASET_KEYS = frozenset({"task_categories", "task_ids", "size_categories", "pretty_name",
                          "dataset_info", "configs", "annotations_creators",
                          "language_creators", "multilinguality", "source_datasets",
                          "paperswithcode_id", "train-eval-index"})
# Tags the Hub adds for its own machinery, not subjects a reader searches by.
TECHNICAL_TAGS = frozenset({"autotrain_compatible", "endpoints_compatible",
                            "generated_from_trainer", "text-generation-inference",
                            "safetensors", "pytorch", "tensorflow", "tf", "jax", "flax", "onnx",
                            "transformers", "keras", "gguf",
                            "model-index", "has_space", "custom_code", "sentence-transformers",
                            "skops", "autotrain",
                            "timm", "diffusers", "peft", "mlx", "tensorboard",
                            "sklearn", "scikit-learn", "joblib", "xgboost", "lightgbm"})
TECHNICAL_PREFIXES = ("region:", "format:", "modality:", "library:", "size_categories:",
                      "arxiv:", "doi:", "license:", "dataset:", "base_model:", "co2_eq_emissions")
FRAMEWORKS = {
    "transformers": "transformers", "pytorch": "pytorch", "torch": "pytorch", "timm": "pytorch",
    "diffusers": "pytorch", "sentence-transformers": "pytorch", "peft": "pytorch",
    "speechbrain": "pytorch", "pyannote-audio": "pytorch", "fastai": "pytorch",
    "flair": "pytorch", "open_clip": "pytorch", "tensorflow": "tensorflow", "tf": "tensorflow",
    "tf-keras": "keras", "keras": "keras", "jax": "jax", "flax": "jax",
    "sklearn": "scikit-learn", "scikit-learn": "scikit-learn", "xgboost": "xgboost",
    "lightgbm": "lightgbm", "onnx": "onnx", "numpy": "numpy",
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
MODEL_TYPE_OF_TASK = {task: model_type for model_type, tasks in MODEL_TYPES.items()
                      for task in tasks}
# Hugging Face licence ids that differ from their SPDX id, beyond letter case.
LICENSE_ALIASES = {
    "gpl": "GPL-3.0-or-later", "gpl-2.0": "GPL-2.0-only", "gpl-3.0": "GPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-3.0": "LGPL-3.0-only", "agpl-3.0": "AGPL-3.0-only",
    "lgpl-lr": "LGPLLR", "odbl": "ODbL-1.0", "odc-by": "ODC-By-1.0", "pddl": "PDDL-1.0",
    "c-uda": "C-UDA-1.0", "cc": "LicenseRef-cc", "bsd": "BSD-3-Clause",
    "apple-ascl": "LicenseRef-apple-ascl",
}
DATASET_FORMATS = {"csv": "csv", "tsv": "tsv", "json": "json", "jsonl": "jsonl",
                   "parquet": "parquet", "arrow": "arrow", "text": "text", "txt": "text",
                   "imagefolder": "image-folder", "audiofolder": "audio", "webdataset": "other",
                   "xml": "xml", "h5": "hdf5", "hdf5": "hdf5", "nc": "netcdf", "zarr": "zarr"}
NO_INFORMATION = re.compile(r"^\W*(more information needed|needs more information|"
                            r"\[?more information needed\]?|todo|tbd|n/?a)\W*$", re.IGNORECASE)
TEXT_LIMIT = 2000
SHORT_LIMIT = 300
TRAINING_TYPES = {"pre-training": "pre-training", "pretraining": "pre-training",
                  "pre-trained": "pre-training", "pretrained": "pre-training",
                  "fine-tuning": "fine-tuning", "finetuning": "fine-tuning",
                  "fine-tuned": "fine-tuning", "finetuned": "fine-tuning",
                  "fine tuning": "fine-tuning", "pre training": "pre-training"}
GRAMS_PER_UNIT = {"": 1.0, "g": 1.0, "gram": 1.0, "grams": 1.0, "kg": 1000.0,
                  "kilogram": 1000.0, "kilograms": 1000.0, "t": 1e6, "tonne": 1e6,
                  "tonnes": 1e6, "ton": 1e6, "tons": 1e6, "mg": 0.001}
QUANTITY = re.compile(r"^\s*(?P<number>[0-9]+(?:[.,][0-9]+)?(?:e[-+]?[0-9]+)?)\s*"
                      r"(?P<unit>[a-z]*)\s*(?:co2(?:[- ]?e(?:q(?:uivalent)?)?)?)?\s*$",
                      re.IGNORECASE)


class HfImportError(Exception):
    """A card that cannot be imported; the message says where, what and what was expected."""


@dataclass
class Imported:
    """A record and card made from a Hugging Face card, not yet written."""

    kind: RecordKind
    slug: str
    record: dict[str, Any]
    card: str
    source: str
    notes: list[str] = field(default_factory=list)
    """What a reviewer must check or add."""
    emissions: ReportedEmissions | None = None

    @property
    def record_id(self) -> str:
        return self.kind.record_id(self.slug)


@dataclass
class _Source:
    text: str
    label: str
    """How messages name the card: its path, or the Hub repository."""
    repo_id: str | None
    kind: str | None


# -- reading the card ----------------------------------------------------------------------


def read_source(source: str, kind: str | None = None) -> _Source:
    """The card's text from a local file (or a folder holding README.md) or, for a Hub id such
    as ``owner/name`` or ``datasets/owner/name``, from the Hub (network)."""
    path = Path(source).expanduser()
    if path.is_dir():
        if not (path / CARD_FILE).is_file():
            raise HfImportError(f"{path}: the folder holds no {CARD_FILE}; expected the card "
                                "of a Hugging Face model or dataset")
        path = path / CARD_FILE
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise HfImportError(f"{path}: cannot read the card: {exc}") from None
        return _Source(text, str(path), None, kind)
    match = HUB_REPO.match(source.strip())
    if match is None or Path(source).suffix.lower() in (".md", ".markdown"):
        raise HfImportError(f"{source}: no such file, and not a Hub repository id; expected a "
                            "card (README.md), a folder holding one, or a repository id such "
                            "as owner/name or datasets/owner/name")
    repo_type = "dataset" if match.group("type") == "datasets" or kind == "dataset" else "model"
    return _Source(_download(match.group("id"), repo_type), f"hf.co/{source.strip()}",
                   match.group("id"), kind or repo_type)


def _download(repo_id: str, repo_type: str) -> str:  # pragma: no cover - network
    from huggingface_hub import hf_hub_download

    try:
        path = hf_hub_download(repo_id, CARD_FILE, repo_type=repo_type)
        return Path(path).read_text(encoding="utf-8-sig")
    except Exception as exc:
        raise HfImportError(f"{repo_id}: cannot fetch the {repo_type} card from the Hub: "
                            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}; "
                            "check the repository id and your network, or download the "
                            "README.md and import the file") from None


def read_front_matter(source: _Source) -> tuple[YamlDocument | None, int]:
    """The front matter, read by the catalogue's line-aware reader, and the line it starts on
    (``None`` when the card has none). Raises ``HfImportError`` naming the line of a problem."""
    text = source.text.removeprefix("\ufeff")
    first = text.splitlines()[0].strip() if text.strip() else ""
    matter = front_matter(text)
    if matter is None:
        if first == "---":
            raise HfImportError(f"{source.label}:1:1: the YAML front matter opened with '---' is "
                                "never closed; expected a line '---' after the metadata")
        return None, 0
    body, start = matter
    try:
        doc = parse_yaml(body)
    except YamlError as exc:
        # The reader counts lines from the front matter's first line; the card from its top.
        message = re.sub(r"\bline (\d+)", lambda m: f"line {int(m.group(1)) + start - 1}",
                         exc.message)
        raise HfImportError(f"{source.label}:{exc.line + start - 1}:{exc.column}: the card's "
                            f"YAML front matter cannot be read: {message}") from None
    if doc.value is None:
        return None, start
    if not isinstance(doc.value, dict):
        raise HfImportError(f"{source.label}:{start}:1: the card's front matter is a "
                            f"{type(doc.value).__name__}; expected a mapping of metadata "
                            "(license: ..., tags: [...])")
    return doc, start


def _line(doc: YamlDocument | None, start: int, key: str) -> int:
    if doc is None:
        return 1
    try:
        return doc.key_position((key,))[0] + start - 1
    except (KeyError, IndexError, TypeError):
        return start


def detect_kind(source: _Source, doc: YamlDocument | None) -> str:
    if source.kind in ("model", "dataset"):
        return source.kind
    keys = set(doc.value) if doc is not None and isinstance(doc.value, dict) else set()
    return "dataset" if keys & DATASET_KEYS else "model"


def load_card(source: _Source, kind: str, doc: YamlDocument | None, start: int) -> RepoCard:
    """The card through huggingface_hub's classes, with their errors turned into messages."""
    card_class = DatasetCard if kind == "dataset" else ModelCard
    logging.getLogger("huggingface_hub.repocard").setLevel(logging.ERROR)
    try:
        return card_class(source.text)
    except ValueError as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "model_index" in text or "eval_results" in text:
            # huggingface_hub says "<class 'KeyError'> 'name'. Pass `ignore_metadata_errors`...".
            found = re.search(r"<class '(\w+)'> (.*?)\. Pass", text)
            what = (f"missing key {found.group(2)}" if found and found.group(1) == "KeyError"
                    else found.group(2) if found else text)
            raise HfImportError(
                f"{source.label}:{_line(doc, start, 'model-index')}:1: model-index cannot be "
                f"read ({what}); expected a list of {{name, results: [{{task: {{type}}, "
                "dataset: {type, name}, metrics: [{type, value}]}]}") from None
        raise HfImportError(f"{source.label}:{start}:1: huggingface_hub cannot read the card's "
                            f"metadata: {text}") from None
    except Exception as exc:  # huggingface_hub may raise anything on unexpected metadata types
        raise HfImportError(f"{source.label}:{start}:1: huggingface_hub cannot read the card's "
                            f"metadata: {type(exc).__name__}: {exc}") from None


# -- mapping helpers -----------------------------------------------------------------------


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return []


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


@functools.cache
def _spdx_keys() -> dict[str, str]:
    from license_expression import get_spdx_licensing

    keys = (str(s.key) for s in get_spdx_licensing().known_symbols.values())
    return {k.lower(): k for k in keys if not k.startswith("LicenseRef-")}


def spdx_license(hf_license: str, license_name: str | None = None) -> str:
    """The SPDX form of a Hugging Face licence id (``LicenseRef-...`` when SPDX has none)."""
    value = hf_license.strip()
    lowered = value.lower()
    if lowered == "other" and license_name:
        value, lowered = license_name.strip(), license_name.strip().lower()
    candidate = LICENSE_ALIASES.get(lowered) or _spdx_keys().get(lowered)
    if candidate and (candidate.startswith("LicenseRef-")
                      or check_spdx_expression(candidate) is None):
        return candidate
    if check_spdx_expression(value) is None:
        return value
    return "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.]+", "-", value).strip("-.") or "other")


def convert_co2(value: object, where: str) -> tuple[dict[str, Any], list[str]]:
    """Hugging Face's ``co2_eq_emissions`` in its mapping form, the figure in grams, and what
    was converted or dropped on the way. Raises ``EmissionsFormatError``."""
    notes: list[str] = []
    mapping: dict[str, Any] = dict(value) if isinstance(value, dict) else {"emissions": value}
    grams = mapping.get("emissions")
    if isinstance(grams, str):
        match = QUANTITY.match(grams)
        unit = match.group("unit").lower() if match else None
        if match is None or unit not in GRAMS_PER_UNIT:
            raise EmissionsFormatError(
                f"{where}: emissions {grams!r} is not a quantity; expected grams of CO2e as a "
                "number (1200), or text with a unit (1.2 kg, 1200 g)")
        number = float(match.group("number").replace(",", "."))
        mapping["emissions"] = number * GRAMS_PER_UNIT[unit]
        notes.append(f"{where}: converted emissions {grams!r} to {mapping['emissions']:g} g")
    unknown = sorted(set(mapping) - {"emissions", *CO2_TEXT_KEYS})
    for key in unknown:
        notes.append(f"{where}: dropped '{key}: {mapping.pop(key)}' (Hugging Face's form has "
                     f"only emissions, {', '.join(CO2_TEXT_KEYS)}); keep it in the card's text "
                     "if it matters")
    for key in CO2_TEXT_KEYS:
        item = mapping.get(key)
        if item is None:
            mapping.pop(key, None)
        elif not isinstance(item, str):
            mapping[key] = str(item)
    training = mapping.get("training_type")
    if isinstance(training, str):
        normal = TRAINING_TYPES.get(training.strip().lower())
        if normal is None:
            notes.append(f"{where}: dropped training_type {training!r}; expected pre-training or "
                         "fine-tuning")
            mapping.pop("training_type")
        else:
            mapping["training_type"] = normal
    emissions = mapping.get("emissions")
    if isinstance(emissions, float) and emissions.is_integer() and math.isfinite(emissions):
        mapping["emissions"] = int(emissions) if abs(emissions) < 1e15 else emissions
    parse_co2_eq_emissions(mapping)  # raises for anything still wrong (negative, not a number)
    ordered = {"emissions": mapping["emissions"]}
    ordered.update({k: mapping[k] for k in CO2_TEXT_KEYS if k in mapping})
    return ordered, notes


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


def _sections_text(body: str, section: Section,
                   others: tuple[Section, ...] = MODEL_CARD_SECTIONS) -> str:
    """The plain text under the card's heading for ``section`` ('' if absent or a stub): its
    own text, or else that of its subsections, leaving out subsections that belong to another
    of ``others`` (a "Uses" section's "Out-of-Scope Use")."""
    sections = parse_card(body)
    index = find_section(sections, section)
    if index is None:
        return ""
    own = _plain(text for _, text in sections[index].body)
    if own:
        return own
    level = sections[index].heading.level
    parts: list[str] = []
    skip_below: int | None = None
    for later in sections[index + 1:]:
        if later.heading.level <= level:
            break
        if skip_below is not None and later.heading.level > skip_below:
            continue
        skip_below = None
        if any(o is not section and section_matches(o, later.heading.text) for o in others) \
                and not section_matches(section, later.heading.text):
            skip_below = later.heading.level
            continue
        parts.append(_plain(text for _, text in later.body))
    return " ".join(p for p in parts if p)


def _plain(lines: Iterable[str]) -> str:
    kept: list[str] = []
    fence = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence or not stripped or stripped.startswith(("<!--", "|", "![", "<")) or \
                NO_INFORMATION.match(stripped):
            continue
        stripped = re.sub(r"^#+\s*|^[-*+]\s+|^\d+[.)]\s+", "", stripped)
        stripped = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", stripped)
        stripped = re.sub(r"[*_`]{1,3}", "", stripped)
        if stripped:
            kept.append(stripped)
    return " ".join(kept)


def _first_paragraph(body: str) -> str:
    paragraph: list[str] = []
    fence = False
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            continue
        if not stripped or stripped.startswith("#"):
            if paragraph:
                break
            continue
        if stripped.startswith(("<!--", "![", "[![", "<", "|", "-->")) or \
                NO_INFORMATION.match(stripped):
            continue
        if re.match(r"^([-*+]|\d+[.)])\s", stripped) and not paragraph:
            return ""  # a list of facts, not a description
        paragraph.append(stripped)
    return _plain(paragraph)


def _title(body: str) -> str:
    for line in body.splitlines():
        match = re.match(r"^#\s+(.+?)\s*#*\s*$", line)
        if match:
            return re.sub(r"[*_`]", "", match.group(1)).strip()
    return ""


def _subjects(values: Iterable[str]) -> list[str]:
    subjects: list[str] = []
    for value in values:
        tag = value.strip()
        lowered = tag.lower()
        if not tag or lowered in TECHNICAL_TAGS or lowered.startswith(TECHNICAL_PREFIXES) or \
                len(tag) > SHORT_LIMIT:
            continue
        if lowered not in (s.lower() for s in subjects):
            subjects.append(tag)
    return subjects


# -- the model card's sections --------------------------------------------------------------


def _stub_sections(body: str, expected: tuple[Section, ...]) -> tuple[list[Section],
                                                                       dict[int, Section]]:
    """The sections missing from the card, and those present whose text is only a stub such as
    "[More Information Needed]" (by the line of their first stub line)."""
    sections = parse_card(body)
    missing: list[Section] = []
    stubs: dict[int, Section] = {}
    for section in expected:
        index = find_section(sections, section)
        if index is None:
            missing.append(section)
            continue
        lines = [(n, t) for n, t in section_text(sections, index) if t.strip()]
        content = [(n, t) for n, t in lines if not t.lstrip().startswith("#")]
        if content and all(NO_INFORMATION.match(t.strip()) for _, t in content):
            stubs[content[0][0]] = section
        elif not content:
            stubs[sections[index].heading.line] = section
    return missing, stubs


def _how_to_run(repo_id: str | None, record: dict[str, Any]) -> str | None:
    if not repo_id or record.get("framework") != "transformers" or not record.get("task"):
        return None
    return ("```python\nfrom transformers import pipeline\n\n"
            f"pipe = pipeline({json.dumps(record['task'])}, model={json.dumps(repo_id)})\n"
            "print(pipe(...))  # the input the task takes\n```")


def complete_model_card(body: str, record: dict[str, Any], repo_id: str | None,
                        notes: list[str], description: str = "") -> str:
    """The card's text with the catalogue's sections: stubs become placeholders, and the
    missing sections are appended, derived from the metadata where it says enough."""
    missing, stubs = _stub_sections(body, MODEL_CARD_SECTIONS)
    lines = body.splitlines()
    for line_number, section in stubs.items():
        original = lines[line_number - 1]
        if NO_INFORMATION.match(original.strip()):
            lines[line_number - 1] = placeholder(section.covers)
        else:
            lines.insert(line_number, "\n" + placeholder(section.covers))
        notes.append(f"card: section '{section.heading}' said only "
                     f"'{original.strip() or '(nothing)'}'; write what it should cover")
    text = "\n".join(lines).rstrip("\n") + "\n"
    if not missing:
        return text
    added: list[str] = ["", "<!-- Sections added by omh import-hf: the catalogue's model cards "
                        "cover them. -->"]
    for section in missing:
        content: str | None = None
        if section.heading == "What it predicts" and description:
            content = description
        elif section.heading == "License" and record.get("license") and \
                "<FILL" not in str(record["license"]):
            content = f"{record['license']} (from the card's metadata)."
        elif section.heading == "How to run":
            content = _how_to_run(repo_id, record)
        if content is None:
            content = placeholder(section.covers)
            notes.append(f"card: added section '## {section.heading}'; fill it in "
                         f"({section.covers})")
        added += ["", f"## {section.heading}", "", content]
    return text + "\n".join(added) + "\n"


# -- the mapping -----------------------------------------------------------------------------


def _common(data: dict[str, Any], name: str, description: str, created_by: list[str],
            organization: str | None, today: datetime.date, notes: list[str],
            label: str) -> dict[str, Any]:
    record: dict[str, Any] = {}
    record["name"] = _clip(name, SHORT_LIMIT)
    record["version"] = "1.0.0"
    record["description"] = description or placeholder(
        "what it is, what it is for and how it was made")
    if not description:
        notes.append("description: the card has no opening paragraph; write one")
    record["created_at"] = today.isoformat()
    notes.append(f"created_at: {today.isoformat()} is the day of the import; write the day the "
                 "asset was released")
    record["created_by"] = created_by or ["researchers/" + placeholder(
        "researcher slug; add the person first with omh new researcher SLUG")]
    record["organization"] = organization or ("organizations/" + placeholder(
        "organization slug; add it first with omh new organization SLUG"))
    hf_license = data.get("license")
    licenses = _strings(hf_license)
    if licenses:
        name_value = data.get("license_name")
        spdx = [spdx_license(v, name_value if isinstance(name_value, str) else None)
                for v in licenses]
        record["license"] = " AND ".join(dict.fromkeys(spdx))
        if len(spdx) > 1:
            notes.append(f"license: the card lists {', '.join(licenses)}; written as "
                         f"{record['license']} (all apply); check it")
        if any(s.startswith("LicenseRef-") for s in spdx):
            link = data.get("license_link")
            notes.append(f"license: '{', '.join(licenses)}' is not on the SPDX list; kept as "
                         f"{record['license']}" + (f" (terms: {link})" if link else ""))
    else:
        record["license"] = placeholder("SPDX licence id; the card states none")
        notes.append(f"license: {label} states no licence; without one nobody may reuse it")
    gated = any(str(k).startswith("extra_gated") for k in data) or data.get("gated")
    record["access_rights"] = "restricted" if gated else "public"
    if gated:
        notes.append("access_rights: the repository is gated, so restricted; explain in the "
                     "card how to obtain access (## Access)")
    return record


def _map_model(card: RepoCard, data: dict[str, Any], source: _Source, hub: dict[tuple[str, str],
               str], record: dict[str, Any], notes: list[str]) -> None:
    library = data.get("library_name")
    tags = _strings(data.get("tags"))
    framework = FRAMEWORKS.get(str(library).lower()) if isinstance(library, str) else None
    framework = framework or next((FRAMEWORKS[t.lower()] for t in tags
                                   if t.lower() in FRAMEWORKS), None)
    record["framework"] = framework or "other"
    if framework is None:
        notes.append("framework: the card names no library the catalogue knows; 'other'")
    task = data.get("pipeline_tag")
    task = task if isinstance(task, str) and SLUG.match(task) else None
    if task is None:  # older cards name the task only among their tags
        task = next((t for t in tags if t in MODEL_TYPE_OF_TASK), None)
    record["model_type"] = MODEL_TYPE_OF_TASK.get(task or "", "other")
    if task:
        record["task"] = task
    subjects = _subjects([*tags, *([task] if task else [])])
    if subjects:
        record["subjects"] = subjects
    body = card.text
    for key, heading in (("intended_use", "Intended use"), ("out_of_scope_use", "Out-of-scope use"),
                         ("limitations", "Limitations")):
        section = next(s for s in MODEL_CARD_SECTIONS if s.heading == heading)
        text = _sections_text(body, section)
        if text:
            record[key] = _clip(text, TEXT_LIMIT)
    bases = _strings(data.get("base_model"))
    for base in bases:
        if (found := hub.get(("model", base))) is not None and "base_model" not in record:
            record["base_model"] = found
        else:
            notes.append(f"base_model: {base} is not in the catalogue; import it (omh import-hf "
                         f"{base}) and set base_model: models/<its slug>")
    datasets: list[str] = []
    for dataset in _strings(data.get("datasets")):
        found = hub.get(("dataset", dataset))
        if found is not None:
            datasets.append(found)
        else:
            notes.append(f"training_datasets: {dataset} is not in the catalogue; import it (omh "
                         f"import-hf datasets/{dataset}) and list it")
    if datasets:
        record["training_datasets"] = list(dict.fromkeys(datasets))
    evaluations = _evaluations(getattr(card.data, "eval_results", None) or [], hub, notes)
    if evaluations:
        record["evaluations"] = evaluations
    where = f"hf://{source.repo_id}@<commit>/<file>" if source.repo_id else "hf://<repo>@<commit>/<file>"
    notes.append(f"artefacts: list the model's files ({where} or paths in the folder) with "
                 "sha256 and size_bytes; export ONNX with samples for the parity check")


def _evaluations(results: list[Any], hub: dict[tuple[str, str], str],
                 notes: list[str]) -> list[dict[str, Any]]:
    evaluations: list[dict[str, Any]] = []
    for result in results:
        value = getattr(result, "metric_value", None)
        metric = getattr(result, "metric_type", None) or getattr(result, "metric_name", None)
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                notes.append(f"evaluations: left out {metric} = {value!r} (not a number)")
                continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not metric:
            continue
        entry: dict[str, Any] = {"metric": _clip(str(metric), 100), "value": value}
        dataset_type = getattr(result, "dataset_type", None)
        found = hub.get(("dataset", str(dataset_type))) if dataset_type else None
        if found:
            entry["dataset"] = found
        split = getattr(result, "dataset_split", None)
        if isinstance(split, str) and split.strip():
            entry["split"] = _clip(split, 100)
        parts = [str(getattr(result, "dataset_name", None) or dataset_type or "")]
        config = getattr(result, "dataset_config", None)
        if config:
            parts.append(f"config {config}")
        task = getattr(result, "task_name", None) or getattr(result, "task_type", None)
        if task:
            parts.append(str(task))
        description = ", ".join(p for p in parts if p)
        if description:
            entry["description"] = _clip(description, SHORT_LIMIT)
        evaluations.append(entry)
    return evaluations


def _map_dataset(card: RepoCard, data: dict[str, Any], source: _Source,
                 record: dict[str, Any], notes: list[str]) -> None:
    tags = _strings(data.get("tags"))
    subjects = _subjects([*_strings(data.get("task_categories")), *tags])
    if subjects:
        record["subjects"] = subjects
    record["format"] = _dataset_format(data, tags) or placeholder(
        "format: csv, parquet, json, jsonl, arrow, image-folder, text, ...")
    record["privacy_level"] = "public"
    info = data.get("dataset_info")
    info = info[0] if isinstance(info, list) and info else info
    if isinstance(info, dict):
        splits = [s for s in info.get("splits", []) if isinstance(s, dict)] \
            if isinstance(info.get("splits"), list) else []
        counted = [s for s in splits if isinstance(s.get("num_examples"), int)
                   and isinstance(s.get("name"), str)]
        if counted:
            record["num_records"] = sum(s["num_examples"] for s in counted)
            record["splits"] = [{"name": s["name"], "num_records": s["num_examples"]}
                                for s in counted]
        columns = _columns(info.get("features"), notes)
        if columns:
            record["columns"] = columns
            record["num_features"] = sum(1 for c in columns if c["role"] == "feature")
    body = card.text
    collection = _sections_text(body, DATASET_CARD_SECTIONS[1], DATASET_CARD_SECTIONS)
    if collection:
        record["collection_method"] = _clip(collection, TEXT_LIMIT)
    sources = _strings(data.get("source_datasets"))
    if source.repo_id:
        record["source"] = f"Hugging Face Hub: https://huggingface.co/datasets/{source.repo_id}"
    elif sources:
        record["source"] = _clip("Derived from " + ", ".join(sources), TEXT_LIMIT)
    notes.append("artefacts: list the data files (hf://datasets/<repo>@<commit>/<file> or "
                 "paths in the folder) with sha256 and size_bytes")


def _dataset_format(data: dict[str, Any], tags: list[str]) -> str | None:
    for tag in tags:
        if tag.lower().startswith("format:"):
            found = DATASET_FORMATS.get(tag.split(":", 1)[1].strip().lower())
            if found:
                return found
    configs = data.get("configs")
    for config in configs if isinstance(configs, list) else []:
        files = config.get("data_files") if isinstance(config, dict) else None
        paths: list[str] = []
        for entry in files if isinstance(files, list) else [files]:
            if isinstance(entry, dict):
                paths += _strings(entry.get("path"))
            elif isinstance(entry, str):
                paths.append(entry)
        for path in paths:
            suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
            if suffix in DATASET_FORMATS:
                return DATASET_FORMATS[suffix]
    return None


FEATURE_TYPES = {"string": "string", "large_string": "string", "bool": "boolean",
                 "date32": "date", "date64": "date"}


def _columns(features: object, notes: list[str]) -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = []
    for feature in features if isinstance(features, list) else []:
        if not isinstance(feature, dict) or not isinstance(feature.get("name"), str):
            continue
        name = feature["name"]
        column: dict[str, Any] = {"name": name}
        dtype = feature.get("dtype")
        nested = dtype if isinstance(dtype, dict) else feature
        if isinstance(nested.get("class_label"), dict):
            column["data_type"] = "category"
            names = nested["class_label"].get("names")
            values = list(names.values()) if isinstance(names, dict) else names
            categories = [str(v) for v in values] if isinstance(values, list) else []
            if categories and len(set(categories)) == len(categories):
                column["categories"] = categories
        elif isinstance(dtype, str):
            lowered = dtype.lower()
            column["data_type"] = (
                FEATURE_TYPES.get(lowered)
                or ("integer" if re.match(r"^u?int\d+$", lowered) else None)
                or ("float" if re.match(r"^(float|double|half)\d*$", lowered) else None)
                or ("datetime" if lowered.startswith("timestamp") else None)
                or ("image" if lowered == "image" else None)
                or ("audio" if lowered == "audio" else None))
            if column["data_type"] is None:
                notes.append(f"columns: {name} has type {dtype}; give its data_type")
                column["data_type"] = "binary"
        elif any(k in nested for k in ("sequence", "list", "struct")):
            column["data_type"] = "array"
        else:
            notes.append(f"columns: {name} has no type the import understands; check it")
            column["data_type"] = "binary"
        target = name.lower() in ("label", "labels", "target", "class", "y") or \
            (column["data_type"] == "category" and name.lower().endswith("label"))
        column["role"] = "target" if target else "feature"
        columns.append(column)
    return columns


def import_card(source_name: str, store: RecordStore, *, kind: str | None = None,
                slug: str | None = None, created_by: Iterable[str] = (),
                organization: str | None = None,
                today: datetime.date | None = None) -> Imported:
    """Map a Hugging Face card to a catalogue record and card (nothing is written)."""
    if kind is not None and kind not in ("model", "dataset"):
        raise HfImportError(f"--kind {kind}: expected model or dataset")
    source = read_source(source_name, kind)
    doc, start = read_front_matter(source)
    kind_name = detect_kind(source, doc)
    card = load_card(source, kind_name, doc, start)
    data: dict[str, Any] = card.data.to_dict()  # type: ignore[no-untyped-call]
    notes: list[str] = []
    if doc is None:
        notes.append(f"{source.label}: the card has no YAML front matter; its licence, tags and "
                     "metrics could not be read")
    body = card.text
    name = (data.get("pretty_name") or _title(body) or getattr(card.data, "model_name", None)
            or (source.repo_id or "").rsplit("/", 1)[-1] or Path(source.label).parent.name)
    slug = slug or suggest_slug((source.repo_id or "").rsplit("/", 1)[-1]
                                or getattr(card.data, "model_name", None) or str(name))
    if not SLUG.match(slug):
        raise HfImportError(f"--slug {slug}: not a valid slug; use lower-case letters, digits "
                            f"and single hyphens, e.g. '{suggest_slug(slug)}'")
    description = _description(body, kind_name)
    record_kind = KINDS[kind_name]
    record: dict[str, Any] = {"kind": kind_name}
    record.update(_common(data, str(name), description, list(created_by), organization,
                          today or datetime.date.today(), notes, source.label))
    emissions: ReportedEmissions | None = None
    if kind_name == "model":
        hub = hub_index(store)
        _map_model(card, data, source, hub, record, notes)
        if CO2_FIELD in data:
            where = f"{source.label}:{_line(doc, start, CO2_FIELD)}"
            try:
                converted, co2_notes = convert_co2(data[CO2_FIELD], where)
            except EmissionsFormatError as exc:
                raise HfImportError(f"{exc if str(exc).startswith(where) else f'{where}: {exc}'}"
                                    " (Hugging Face form: a number of grams, or a mapping with "
                                    "emissions in grams, source, training_type, "
                                    "geographical_location, hardware_used)") from None
            notes += co2_notes
            setattr(card.data, CO2_FIELD, converted)
            emissions = parse_co2_eq_emissions(converted)
        card.text = complete_model_card(body, record, source.repo_id, notes, description)
    else:
        _map_dataset(card, data, source, record, notes)
    return Imported(record_kind, slug, record, str(card), source.label, notes, emissions)


def _description(body: str, kind: str) -> str:
    sections = MODEL_CARD_SECTIONS[:1] if kind == "model" else DATASET_CARD_SECTIONS[:1]
    text = _first_paragraph(body)
    if len(text) < 100:
        text = _sections_text(body, sections[0]) or text
    return _clip(text, TEXT_LIMIT)


# -- writing ---------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Writes dates as plain text (the catalogue reads YAML 1.2: a date stays a string)."""


_Dumper.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()}


def record_text(imported: Imported) -> str:
    # A local card's folder may be a private path, which the record must not carry.
    source = imported.source if imported.source.startswith("hf.co/") \
        else Path(imported.source).name
    header = [f"# Imported from the Hugging Face card {source} by omh import-hf.",
              "# Review every field and fill in each FILL placeholder, then run:",
              f"#   omh validate {imported.record_id}"]
    body = yaml.dump(imported.record, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=96, default_flow_style=False)
    return "\n".join(header) + "\n" + body


def write_import(root: Path, imported: Imported, force: bool = False) -> list[Path]:
    folder = root / imported.record_id
    if (folder / RECORD_FILE).exists() and not force:
        raise HfImportError(f"{imported.record_id}/{RECORD_FILE} already exists; choose another "
                            "--slug, or pass --force to overwrite it")
    folder.mkdir(parents=True, exist_ok=True)
    record_path, card_path = folder / RECORD_FILE, folder / CARD_FILE
    record_path.write_text(record_text(imported), encoding="utf-8")
    card_path.write_text(imported.card, encoding="utf-8")
    return [record_path, card_path]


def review_notes(imported: Imported) -> Iterator[str]:
    yield from imported.notes
    if imported.emissions is not None:
        reported = imported.emissions
        yield (f"co2_eq_emissions: the card reports {reported.grams:g} g = {reported.kg:g} kg "
               "CO2e for training; kept in the card's front matter, shown as reported next to "
               "the catalogue's own figure (add the training experiment for that)")
