"""A card's ``co2_eq_emissions`` in Hugging Face's mapping form, the figure in grams: a bare
number, or text with a unit such as ``1.2 kg`` or ``1,200 g`` (thousands grouped), is converted,
and what was changed is noted; an ambiguous number (``1,5``) or unknown unit is refused."""

from __future__ import annotations

import math
import re
from typing import Any

from catalogue.derive.carbon_interop import TEXT_KEYS as CO2_TEXT_KEYS
from catalogue.derive.carbon_interop import EmissionsFormatError, parse_co2_eq_emissions

TRAINING_TYPES = {"pre-training": "pre-training", "pretraining": "pre-training",
                  "pre-trained": "pre-training", "pretrained": "pre-training",
                  "fine-tuning": "fine-tuning", "finetuning": "fine-tuning",
                  "fine-tuned": "fine-tuning", "finetuned": "fine-tuning",
                  "fine tuning": "fine-tuning", "pre training": "pre-training"}
GRAMS_PER_UNIT = {"": 1.0, "g": 1.0, "gram": 1.0, "grams": 1.0, "kg": 1000.0,
                  "kilogram": 1000.0, "kilograms": 1000.0, "t": 1e6, "tonne": 1e6,
                  "tonnes": 1e6, "ton": 1e6, "tons": 1e6, "mg": 0.001}
QUANTITY = re.compile(r"^\s*(?P<number>[0-9][0-9,.\u202f\u00a0 ']*?(?:e[-+]?[0-9]+)?)\s*"
                      r"(?P<unit>[a-z]*)\s*(?:co2(?:[- ]?e(?:q(?:uivalent)?)?)?)?\s*$",
                      re.IGNORECASE)
# 1200, 1,200, 1 200, 1'200 (thousands grouped by threes), 1200.5, 1,200.5 and 1.2e3.
GROUPED = re.compile(r"^[0-9]{1,3}(?P<sep>[,\u202f\u00a0 '])[0-9]{3}(?:(?P=sep)[0-9]{3})*"
                     r"(?:\.[0-9]+)?$")
PLAIN = re.compile(r"^[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?$", re.IGNORECASE)


def number_of(text: str) -> float | None:
    """A number written with its thousands grouped (``1,200``) or plainly (``1200.5``); None
    for an ambiguous form such as ``1,5`` (a decimal comma, or a typo?)."""
    text = text.strip()
    if PLAIN.match(text):
        return float(text)
    grouped = GROUPED.match(text)
    if grouped:
        return float(re.sub(r"[,\u202f\u00a0 ']", "", text))
    return None


def convert_co2(value: object, where: str) -> tuple[dict[str, Any], list[str]]:
    """Hugging Face's ``co2_eq_emissions`` in its mapping form, the figure in grams, and what
    was converted or dropped on the way. Raises ``EmissionsFormatError``."""
    notes: list[str] = []
    mapping: dict[str, Any] = dict(value) if isinstance(value, dict) else {"emissions": value}
    grams = mapping.get("emissions")
    if isinstance(grams, str):
        match = QUANTITY.match(grams)
        unit = match.group("unit").lower() if match else None
        number = number_of(match.group("number")) if match else None
        if match is None or unit not in GRAMS_PER_UNIT or number is None:
            raise EmissionsFormatError(
                f"{where}: emissions {grams!r} is not a quantity; expected grams of CO2e as a "
                "number (1200), or text with a unit (1.2 kg, 1200 g, 1,200 g); a decimal comma "
                "(1,5) is ambiguous: write 1.5")
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
