"""JSON as the catalogue writes it: UTF-8 text as it is (no ``\\u`` escapes for letters), keys in
the order given or sorted, indented by two spaces or compact.

Written by orjson, whose encoder is compiled: Python's own writes indented JSON in Python, not C,
and took a tenth of the work of a record's pages (orjson with the check below: 0.25x the time
for the same documents). Only numbers can look different from Python's ``json``: ``1e-05`` is
written ``0.00001`` and ``1e+20`` ``1e20``, the same values. A value orjson does not take (a whole
number beyond 64 bits, a key that is not a string) is written by Python's ``json`` instead.

JSON has no NaN or infinity. orjson writes them as ``null``; like Python's ``json`` with
``allow_nan=False``, the catalogue refuses them instead (``ValueError``): the YAML reader keeps
them out of records, so one here is a figure derived wrongly, which must not pass for "unknown".
Only a text with a ``null`` in it can hold one, and only then is the value walked for it (a
walk in Python took four times as long as writing the text).
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def json_bytes(value: Any, *, indent: bool = False, sort_keys: bool = False) -> bytes:
    """``value`` as JSON in UTF-8, without a final newline."""
    option = (orjson.OPT_INDENT_2 if indent else 0) | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        text: bytes | None = orjson.dumps(value, option=option)
    except orjson.JSONEncodeError:
        text = None
    if (text is None or b"null" in text) and not _finite(value):
        raise ValueError("JSON cannot hold a number that is not finite (NaN or infinity)")
    if text is None:
        return json.dumps(value, indent=2 if indent else None,
                          separators=None if indent else (",", ":"), ensure_ascii=False,
                          sort_keys=sort_keys, allow_nan=False).encode()
    return text


def json_text(value: Any, *, indent: bool = False, sort_keys: bool = False) -> str:
    """``value`` as JSON text, without a final newline."""
    return json_bytes(value, indent=indent, sort_keys=sort_keys).decode()


CONTEXT_KEY = "@context"
"""A JSON-LD document's context: made by the catalogue's code of names and IRIs, never of a
record's figures, so it is not walked. Its ``"@language": null`` terms put a ``null`` in
every JSON-LD document, and walking its 120 terms was most of the walks' time."""


def _finite(value: Any) -> bool:
    """Whether every number in ``value`` is finite (``x - x`` is NaN for NaN and infinity).
    A dict's or list's own items are walked, as the encoders read them, not through methods
    a subclass may give them (the site's traced tables note every walk)."""
    kind = type(value)
    if kind is str:
        return True
    if kind is float:
        return bool(value - value == 0.0)
    if isinstance(value, dict):
        if dict.__contains__(value, CONTEXT_KEY):
            return all(_finite(item) for key, item in dict.items(value) if key != CONTEXT_KEY)
        return all(map(_finite, dict.values(value)))
    if isinstance(value, list):
        return all(map(_finite, list.__iter__(value)))
    if isinstance(value, tuple):
        return all(map(_finite, value))
    return not isinstance(value, float) or bool(value - value == 0.0)
