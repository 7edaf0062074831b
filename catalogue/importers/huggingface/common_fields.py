"""The fields every imported record gets from a card: name, version, description, dates,
people, licence, access rights, and subjects from its tags."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from catalogue.importers.huggingface.card_text import SHORT_LIMIT, clip
from catalogue.importers.huggingface.licence_mapping import spdx_license
from catalogue.model.placeholders import placeholder

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
OTHER = "other"


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return []


def subjects(values: Iterable[str]) -> list[str]:
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


def common_fields(data: dict[str, Any], name: str, description: str, created_by: list[str],
                  organization: str | None, today: datetime.date, notes: list[str],
                  label: str) -> dict[str, Any]:
    record: dict[str, Any] = {}
    record["name"] = clip(name, SHORT_LIMIT)
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
    licenses = strings(hf_license)
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
