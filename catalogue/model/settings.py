"""Catalogue-wide settings (``catalogue.yaml`` at the root), validated like a record.

The defaults live here and only here; ``catalogue.yaml`` overrides what it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalogue.model.yaml_source import DEFAULT_MAX_BYTES

DEFAULT_TITLE = "Open Models Hub"


@dataclass(frozen=True)
class Settings:
    title: str = DEFAULT_TITLE
    description: str = ""
    publisher: str | None = None
    site_url: str | None = None
    repository_url: str | None = None
    language: str = "en"
    max_record_bytes: int = DEFAULT_MAX_BYTES
    raw: dict[str, Any] = field(default_factory=dict)
    """The whole validated ``catalogue.yaml``, for settings that later stages own."""
