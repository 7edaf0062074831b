"""``omh import-hf``: a Hugging Face card to a catalogue record and card, for review."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from catalogue.derive.carbon_interop import FIELD as CO2_FIELD
from catalogue.derive.carbon_interop import EmissionsFormatError, parse_co2_eq_emissions
from catalogue.importers.huggingface.card_text import complete_model_card, description, title
from catalogue.importers.huggingface.co2_conversion import convert_co2
from catalogue.importers.huggingface.common_fields import common_fields
from catalogue.importers.huggingface.dataset_mapping import map_dataset
from catalogue.importers.huggingface.model_mapping import hub_index, map_model
from catalogue.importers.huggingface.source import (
    HfImportError,
    Source,
    detect_kind,
    front_matter_line,
    load_card,
    parse_source,
    read_source,
)
from catalogue.importers.result import Imported
from catalogue.load.store import RecordStore
from catalogue.model.card import Card
from catalogue.model.ids import SLUG, is_hf_repo_id, suggest_slug
from catalogue.model.kinds import KINDS

TOOL = "omh import-hf"


def _names(data: dict[str, Any], card: Card, source: Source) -> tuple[str, str, set[str]]:
    """The record's name, the text its slug comes from, and every name the model goes by.

    The name is the card's ``pretty_name`` or ``model_name``, else its title when that is not
    a template's heading ("Model Card for <id>" gives the id; "Model Trained Using AutoTrain"
    gives nothing), else the model-index's name, the repository's, the card's folder. The slug
    comes from the repository id first, so that cards with the same generic heading never
    share one."""
    repo_name = (source.repo_id or "").rsplit("/", 1)[-1]
    entries = [e for e in data.get("model-index") or [] if isinstance(e, dict)]
    index_name = str(entries[0].get("name") or "") if entries else ""
    model_name = str(data.get("model_name") or "")
    heading = title(card)
    folder = Path(source.label).parent.name if not source.repo_id else ""
    name = (str(data.get("pretty_name") or "") or model_name or heading or index_name
            or repo_name or folder or "imported model")
    slug_source = repo_name or model_name or index_name or heading or folder or name
    names = {n for n in (model_name, index_name, repo_name, heading, name) if n}
    return name, slug_source, names


def import_card(source_name: str, store: RecordStore, *, kind: str | None = None,
                slug: str | None = None, created_by: Iterable[str] = (),
                organization: str | None = None, repo_id: str | None = None,
                today: datetime.date | None = None) -> Imported:
    """Map a Hugging Face card to a catalogue record and card (nothing is written)."""
    if kind is not None and kind not in ("model", "dataset"):
        raise HfImportError(f"--kind {kind}: expected model or dataset")
    if repo_id is not None and not is_hf_repo_id(repo_id):
        raise HfImportError(f"--repo-id {repo_id}: expected a Hub repository id, owner/name")
    source = read_source(source_name, kind)
    if repo_id and not source.repo_id:
        source.repo_id = repo_id
    card, notes = parse_source(source)
    kind_name = detect_kind(source, card)
    hub_card = load_card(source, card, kind_name)
    data: dict[str, Any] = hub_card.data.to_dict()  # type: ignore[no-untyped-call]
    # huggingface_hub folds every model-index entry into one, under the last entry's name, and
    # calls that name model_name: the card's own model-index and model_name are what it said.
    metadata = dict(card.metadata)
    data["model-index"] = metadata.get("model-index")
    data["model_name"] = metadata.get("model_name")
    if not card.metadata:
        notes.append(f"{source.label}: the card has no YAML front matter; its licence, tags and "
                     "metrics could not be read")
    record_kind = KINDS[kind_name]
    name, slug_source, names = _names(data, card, source)
    if slug is None:
        slug = suggest_slug(slug_source)
    if not SLUG.match(slug):
        raise HfImportError(f"--slug {slug}: not a valid slug; use lower-case letters, digits "
                            f"and single hyphens, e.g. '{suggest_slug(slug)}'")
    summary = description(card, kind_name)
    record: dict[str, Any] = {"kind": kind_name}
    record.update(common_fields(data, name, summary, list(created_by), organization,
                                today or datetime.date.today(), notes, source.label))
    if kind_name == "model":
        hub = hub_index(store)
        map_model(card, data, source, names | {slug}, hub, record, notes)
        if CO2_FIELD in data:
            where = f"{source.label}:{front_matter_line(card, CO2_FIELD)}"
            try:
                converted, co2_notes = convert_co2(data[CO2_FIELD], where)
            except EmissionsFormatError as exc:
                raise HfImportError(f"{exc if str(exc).startswith(where) else f'{where}: {exc}'}"
                                    " (Hugging Face form: a number of grams, or a mapping with "
                                    "emissions in grams, source, training_type, "
                                    "geographical_location, hardware_used)") from None
            notes += co2_notes
            metadata[CO2_FIELD] = converted
            reported = parse_co2_eq_emissions(converted)
            notes.append(f"co2_eq_emissions: the card reports {reported.grams:g} g = "
                         f"{reported.kg:g} kg CO2e for training; kept in the card's front "
                         "matter, shown as reported next to the catalogue's own figure (add the "
                         "training experiment for that)")
        body = complete_model_card(card, record, source.repo_id, notes, summary)
    else:
        map_dataset(card, data, source, record, notes)
        body = card.body
    text = body if not metadata else (
        "---\n" + yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=96)
        + "---\n" + body)
    # A local card's folder may be a private path, which the record must not carry.
    shown = source.label if source.label.startswith("hf.co/") else Path(source.label).name
    return Imported(record_kind, slug, record, f"the Hugging Face card {shown}", TOOL,
                    card=text, notes=notes)
