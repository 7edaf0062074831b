"""``omh import-hf``: a Hugging Face card to a catalogue record and card, and writing them for
review."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from catalogue.derive.carbon_interop import FIELD as CO2_FIELD
from catalogue.derive.carbon_interop import (
    EmissionsFormatError,
    ReportedEmissions,
    parse_co2_eq_emissions,
)
from catalogue.importers.huggingface.card_text import complete_model_card, description, title
from catalogue.importers.huggingface.co2_conversion import convert_co2
from catalogue.importers.huggingface.common_fields import common_fields
from catalogue.importers.huggingface.dataset_mapping import map_dataset
from catalogue.importers.huggingface.model_mapping import hub_index, map_model
from catalogue.importers.huggingface.source import (
    HfImportError,
    detect_kind,
    front_matter_line,
    load_card,
    parse_source,
    read_source,
)
from catalogue.load.store import RecordStore
from catalogue.model.ids import SLUG, suggest_slug
from catalogue.model.kinds import CARD_FILE, KINDS, RECORD_FILE, RecordKind


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


def import_card(source_name: str, store: RecordStore, *, kind: str | None = None,
                slug: str | None = None, created_by: Iterable[str] = (),
                organization: str | None = None,
                today: datetime.date | None = None) -> Imported:
    """Map a Hugging Face card to a catalogue record and card (nothing is written)."""
    if kind is not None and kind not in ("model", "dataset"):
        raise HfImportError(f"--kind {kind}: expected model or dataset")
    source = read_source(source_name, kind)
    card, notes = parse_source(source)
    kind_name = detect_kind(source, card)
    hub_card = load_card(source, card, kind_name)
    data: dict[str, Any] = hub_card.data.to_dict()  # type: ignore[no-untyped-call]
    if not card.metadata:
        notes.append(f"{source.label}: the card has no YAML front matter; its licence, tags and "
                     "metrics could not be read")
    model_name = getattr(hub_card.data, "model_name", None)
    name = (data.get("pretty_name") or title(card) or model_name
            or (source.repo_id or "").rsplit("/", 1)[-1] or Path(source.label).parent.name)
    slug = slug or suggest_slug((source.repo_id or "").rsplit("/", 1)[-1]
                                or model_name or str(name))
    if not SLUG.match(slug):
        raise HfImportError(f"--slug {slug}: not a valid slug; use lower-case letters, digits "
                            f"and single hyphens, e.g. '{suggest_slug(slug)}'")
    summary = description(card, kind_name)
    record_kind = KINDS[kind_name]
    record: dict[str, Any] = {"kind": kind_name}
    record.update(common_fields(data, str(name), summary, list(created_by), organization,
                                today or datetime.date.today(), notes, source.label))
    emissions: ReportedEmissions | None = None
    if kind_name == "model":
        hub = hub_index(store)
        map_model(card, hub_card, data, source, hub, record, notes)
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
            setattr(hub_card.data, CO2_FIELD, converted)
            emissions = parse_co2_eq_emissions(converted)
        hub_card.text = complete_model_card(card, record, source.repo_id, notes, summary)
    else:
        map_dataset(card, data, source, record, notes)
    return Imported(record_kind, slug, record, str(hub_card), source.label, notes, emissions)


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
