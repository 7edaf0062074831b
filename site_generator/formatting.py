"""How values read on a page: numbers, sizes, dates, durations, emissions and enum labels.

Every function takes a value as a record holds it (possibly of the wrong type, when the build
was forced past validation errors) and returns text; none of them reads the clock, so a page
says the same thing on every build.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable

from markupsafe import Markup, escape

from catalogue.model import dates
from catalogue.model.pointers import human_bytes


def markup(template: str, *values: object) -> Markup:
    """``Markup(template).format(*values)``: the trusted ``template`` with each value escaped
    (one that is ``Markup`` already kept as it is), formatted by ``str.format`` and escaped in
    C (``Markup.format`` runs Python's ``string.Formatter``: a third of a list page's time).
    The template's fields are plain ``{}`` / ``{0}``, with no format spec."""
    return Markup(template.format(*map(escape, values)))

LABELS: dict[str, str] = {
    # frameworks
    "pytorch": "PyTorch", "tensorflow": "TensorFlow", "keras": "Keras", "jax": "JAX",
    "scikit-learn": "scikit-learn", "xgboost": "XGBoost", "lightgbm": "LightGBM",
    "onnx": "ONNX", "numpy": "NumPy", "transformers": "Transformers",
    # formats and other acronyms
    "csv": "CSV", "tsv": "TSV", "json": "JSON", "jsonl": "JSON Lines", "hdf5": "HDF5",
    "netcdf": "NetCDF", "tfrecord": "TFRecord", "xml": "XML", "hpc": "HPC", "aws": "AWS",
    "gcp": "Google Cloud", "azure": "Azure", "ovhcloud": "OVHcloud", "scaleway": "Scaleway",
    "language-model": "Language model", "image-folder": "Image folder",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DASH = "\u2014"


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        value)


def stated(facts: Iterable[tuple[str, object]]) -> list[tuple[str, object]]:
    """The (name, value) pairs whose value is not ``None``: the facts a table shows."""
    return [fact for fact in facts if fact[1] is not None]


def label(value: object) -> str:
    """An enum value for people: ``image-folder`` -> ``Image folder``, ``pytorch`` ->
    ``PyTorch``."""
    if value is None or value == "":
        return DASH
    text = str(value)
    if text in LABELS:
        return LABELS[text]
    words = text.replace("_", " ").replace("-", " ")
    return words[:1].upper() + words[1:]


def number(value: object, digits: int = 4) -> str:
    """Integers with thousands separators; other numbers with ``digits`` significant digits."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if is_number(value):
        assert isinstance(value, float)
        if value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.{digits}g}" if abs(value) >= 1e-4 else f"{value:.{digits}g}"
    return DASH if value is None else str(value)


def size(value: object) -> str:
    return human_bytes(value) if isinstance(value, int) and not isinstance(value, bool) \
        and value >= 0 else DASH


def percent(value: object) -> str:
    return f"{number(value, 3)}%" if is_number(value) else DASH


def date(value: object) -> str:
    """``2025-10-14`` -> ``14 Oct 2025``; a date-time keeps its time and zone."""
    if not isinstance(value, str):
        return DASH if value is None else str(value)
    parsed = dates.parsed_or_none(value)
    if parsed is None:
        return value
    text = f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"
    if isinstance(parsed, datetime.datetime):
        offset = parsed.strftime("%z")
        zone = " UTC" if offset in ("+0000", "-0000") else f" (UTC{offset[:3]}:{offset[3:]})"
        text += f", {parsed:%H:%M}{zone}"
    return text


def day(value: object) -> str | None:
    """The ``YYYY-MM-DD`` part of a date or date-time, for sorting and sitemaps."""
    return dates.iso_day(value)


def duration(seconds: object) -> str:
    """``14400`` -> ``4 h``; ``5400`` -> ``1 h 30 min``; ``42`` -> ``42 s``."""
    if not is_number(seconds):
        return DASH
    assert isinstance(seconds, int | float)
    total = round(float(seconds))
    if total < 60:
        return f"{total} s"
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes and not days else ""]
    return " ".join(p for p in parts if p)


def hours(value: object) -> str:
    return duration(float(value) * 3600) if is_number(value) else DASH  # type: ignore[arg-type]


def kg(value: object) -> str:
    """Emissions in kg CO2e, with grams for small figures."""
    if not is_number(value):
        return DASH
    assert isinstance(value, int | float)
    if 0 < abs(value) < 1:
        return f"{number(value * 1000, 3)} g CO\u2082e"
    return f"{number(float(value), 3)} kg CO\u2082e"


def kwh(value: object) -> str:
    return f"{number(float(value), 3)} kWh" if is_number(value) else DASH  # type: ignore[arg-type]


def milliseconds(value: object) -> str:
    return f"{number(value, 4)} ms" if is_number(value) else DASH


def megabytes(value: object) -> str:
    return f"{number(value, 4)} MB" if is_number(value) else DASH


def gigabytes(value: object) -> str:
    return f"{number(value, 4)} GB" if is_number(value) else DASH


def shape(value: object) -> str:
    """A tensor shape: ``[batch, 3, 224, 224]`` -> ``batch x 3 x 224 x 224``."""
    if isinstance(value, list):
        return " \u00d7 ".join(str(v) for v in value) or "scalar"
    return DASH


def truncate(text: object, limit: int) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "\u2026"


def pager_pages(number: int, count: int) -> list[int]:
    """The page numbers a pager on page ``number`` of ``count`` can show: the first, the last,
    and those within three of this one (the template decides which are links and which an
    ellipsis). Listing them, rather than walking all ``count``, keeps a list of n pages linear."""
    near = range(max(1, number - 3), min(count, number + 3) + 1)
    return sorted({1, count, *near})
