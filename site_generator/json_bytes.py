"""The JSON files the site publishes, as bytes (``json_text``): keys sorted unless told."""

from __future__ import annotations

from typing import Any

from catalogue.standards.json_text import json_bytes


def indented_json(value: Any) -> bytes:
    """A record's own file: indented, for a reader who opens it."""
    return json_bytes(value, indent=True, sort_keys=True) + b"\n"


def compact_json(value: Any, sort_keys: bool = True) -> bytes:
    """A catalogue-wide file, which programs read: without indentation."""
    return json_bytes(value, sort_keys=sort_keys) + b"\n"
