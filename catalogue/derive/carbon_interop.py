"""Hugging Face's ``co2_eq_emissions``: read it from a model card, write ours in its form.

A Hugging Face model card gives its training emissions in grams of CO2-equivalent, either as a
bare number or as a mapping::

    co2_eq_emissions:
      emissions: 149200          # grams
      source: CodeCarbon
      training_type: fine-tuning # or pre-training
      geographical_location: Helsinki, Finland
      hardware_used: 4 x A100

The catalogue computes its own figure from recorded usage; a card's number is kept next to it as
*reported*, never mixed into the computed totals.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from catalogue.model.card import Card, FrontMatter

FIELD = "co2_eq_emissions"
TEXT_KEYS = ("source", "training_type", "geographical_location", "hardware_used")
TRAINING_TYPES = ("pre-training", "fine-tuning")


class EmissionsFormatError(ValueError):
    """A ``co2_eq_emissions`` value that is not in either of Hugging Face's forms."""


class ReportedEmissions(NamedTuple):
    grams: float
    source: str | None = None
    training_type: str | None = None
    geographical_location: str | None = None
    hardware_used: str | None = None

    @property
    def kg(self) -> float:
        return self.grams / 1000

    def as_json(self) -> dict[str, Any]:
        return {"emissions": self.grams, "kg": self.kg, "source": self.source,
                "training_type": self.training_type,
                "geographical_location": self.geographical_location,
                "hardware_used": self.hardware_used}


def _grams(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or value < 0:
        raise EmissionsFormatError(f"{where}: expected a number of grams of CO2e >= 0, "
                                   f"found {value!r}")
    return float(value)


def parse_co2_eq_emissions(value: object) -> ReportedEmissions:
    """Read either form; raise ``EmissionsFormatError`` saying what is wrong."""
    if not isinstance(value, dict):
        if isinstance(value, str):
            raise EmissionsFormatError(
                f"{FIELD}: found the text {value!r}; expected a number of grams (write 1200, "
                "not '1.2 kg') or a mapping with 'emissions' in grams")
        return ReportedEmissions(_grams(value, FIELD))
    unknown = sorted(set(value) - {"emissions", *TEXT_KEYS})
    if unknown:
        raise EmissionsFormatError(f"{FIELD}: unknown key(s) {', '.join(map(str, unknown))}; "
                                   f"expected emissions, {', '.join(TEXT_KEYS)}")
    if "emissions" not in value:
        raise EmissionsFormatError(f"{FIELD}: missing 'emissions' (grams of CO2e)")
    texts: dict[str, str | None] = {}
    for key in TEXT_KEYS:
        item = value.get(key)
        if item is not None and not isinstance(item, str):
            raise EmissionsFormatError(f"{FIELD}.{key}: expected text, found {item!r}")
        texts[key] = item
    if texts["training_type"] not in (None, *TRAINING_TYPES):
        raise EmissionsFormatError(f"{FIELD}.training_type: found {texts['training_type']!r}; "
                                   f"expected one of {', '.join(TRAINING_TYPES)}")
    return ReportedEmissions(_grams(value["emissions"], f"{FIELD}.emissions"), **texts)


class CardEmissions(NamedTuple):
    """What a card's front matter says, or why it cannot be read, and on which line."""

    reported: ReportedEmissions | None
    problem: str | None
    line: int


def card_emissions(card: Card | None) -> CardEmissions | None:
    """The ``co2_eq_emissions`` in a card's front matter, or None when it has none (or its front
    matter cannot be read, which the card check reports)."""
    return front_matter_emissions(card.front_matter if card is not None else None)


def front_matter_emissions(front_matter: FrontMatter | None) -> CardEmissions | None:
    """``card_emissions`` from the card's front matter alone (``Record.card_front_matter``)."""
    if front_matter is None or FIELD not in front_matter.data:
        return None
    line = front_matter.line_of(FIELD)
    try:
        return CardEmissions(parse_co2_eq_emissions(front_matter.data[FIELD]), None, line)
    except EmissionsFormatError as problem:
        return CardEmissions(None, str(problem), line)


def co2_eq_emissions(grams: float, source: str, training_type: str, geographical_location: str,
                     hardware_used: str) -> dict[str, Any]:
    """Our figure in Hugging Face's mapping form (grams, rounded to 0.1 g)."""
    return {"emissions": round(grams, 1), "source": source, "training_type": training_type,
            "geographical_location": geographical_location, "hardware_used": hardware_used}
