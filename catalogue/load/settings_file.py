"""Read ``catalogue.yaml`` and check it against ``settings.schema.json``, like a record."""

from __future__ import annotations

from pathlib import Path

from catalogue.load.schema_check import validate_document
from catalogue.model.findings import Finding, Location, error
from catalogue.model.kinds import SETTINGS_FILE
from catalogue.model.settings import Settings
from catalogue.model.yaml_source import DEFAULT_MAX_BYTES, YamlError, read_yaml_file


def load_settings(root: Path) -> tuple[Settings, list[Finding]]:
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
    findings = validate_document(doc, "settings.schema.json", SETTINGS_FILE, None)
    if findings:
        return Settings(), findings
    data = doc.value
    limits = data.get("limits", {})
    return Settings(
        title=data["title"],
        description=data.get("description", ""),
        publisher=data.get("publisher"),
        site_url=data.get("site_url"),
        repository_url=data.get("repository_url"),
        language=data.get("language", "en"),
        max_record_bytes=limits.get("max_record_bytes", DEFAULT_MAX_BYTES),
        raw=data,
    ), []
