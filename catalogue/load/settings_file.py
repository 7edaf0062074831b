"""Read ``catalogue.yaml``, check it against ``settings.schema.json`` like a record, and parse it
once into the typed ``Settings`` every later stage reads."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalogue.load.schema_check import validate_document
from catalogue.model.findings import Finding, Location, error
from catalogue.model.kinds import SETTINGS_FILE
from catalogue.model.settings import (
    ArtefactSettings,
    CarbonBands,
    CarbonSettings,
    Limits,
    QualitySettings,
    Settings,
)
from catalogue.model.yaml_source import YamlError, read_yaml_file

SCHEMA_FILE = "settings.schema.json"


def load_settings(root: Path) -> tuple[Settings, list[Finding]]:
    """The settings at ``root`` (the defaults when there is no ``catalogue.yaml``), with what is
    wrong in the file; a file with any finding yields the defaults, never half of it."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return Settings(), []
    try:
        doc = read_yaml_file(path)
    except YamlError as exc:
        return Settings(), [error(exc.rule, exc.message, Location(SETTINGS_FILE, exc.line,
                                                                  exc.column))]
    if not isinstance(doc.value, dict):
        return Settings(), [error("schema", "catalogue.yaml must be a mapping of settings",
                                  Location(SETTINGS_FILE))]
    findings = validate_document(doc, SCHEMA_FILE, SETTINGS_FILE, None)
    if findings:
        return Settings(), findings
    return parse_settings(doc.value), []


def parse_settings(data: Mapping[str, Any]) -> Settings:
    """Typed settings from a ``catalogue.yaml`` mapping the schema has accepted: its keys are
    the fields' names (the schema and the dataclasses agree; a test holds them together)."""
    sections = {"limits": Limits, "artefacts": ArtefactSettings, "quality": QualitySettings}
    values: dict[str, Any] = {k: v for k, v in data.items() if k not in (*sections, "carbon")}
    for name, section in sections.items():
        if name in data:
            values[name] = section(**data[name])
    if "carbon" in data:
        carbon = dict(data["carbon"])
        carbon["bands"] = CarbonBands(**carbon.get("bands", {}))
        values["carbon"] = CarbonSettings(**carbon)
    return Settings(**values)
