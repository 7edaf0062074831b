"""Read ``catalogue.yaml``, check it against ``settings.schema.json`` like a record, and parse it
once into the typed ``Settings`` every later stage reads."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalogue.model.findings import Finding, Location, error
from catalogue.model.kinds import KINDS_BY_FOLDER, SETTINGS_FILE
from catalogue.model.settings import (
    DEFAULT_CACHE_DIR,
    ArtefactSettings,
    CarbonBands,
    CarbonSettings,
    Limits,
    ParitySettings,
    QualitySettings,
    Settings,
)
from catalogue.model.yaml_source import (
    YamlDocument,
    YamlError,
    parse_yaml_bytes,
    read_yaml_file,
)

if TYPE_CHECKING:
    from catalogue.load.settings_verdict import SettingsVerdict

SCHEMA_FILE = "settings.schema.json"


def load_settings(root: Path, *, remember: bool = False) -> tuple[Settings, list[Finding]]:
    """The settings at ``root`` (the defaults when there is no ``catalogue.yaml``), with what is
    wrong in the file; a file with any finding yields the defaults, never half of it.
    ``remember``: keep, in the catalogue's cache folder, that this very file is valid, so that
    the next run need not check it against its schema again (``settings_verdict``)."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return Settings(), []
    verdict = _verdict(root, path) if remember else None
    try:
        doc = read_yaml_file(path) if verdict is None else parse_yaml_bytes(verdict.raw)
    except YamlError as exc:
        return Settings(), [error(exc.rule, exc.message, Location(SETTINGS_FILE, exc.line,
                                                                  exc.column))]
    if not isinstance(doc.value, dict):
        return Settings(), [error("schema", "catalogue.yaml must be a mapping of settings",
                                  Location(SETTINGS_FILE))]
    if verdict is not None and verdict.known_valid(doc.value):
        return parse_settings(doc.value), []
    from catalogue.load.schema_check import validate_document  # jsonschema: slow to load

    findings = validate_document(doc, SCHEMA_FILE, SETTINGS_FILE, None)
    findings += _cache_dir_findings(doc)
    if findings:
        return Settings(), findings
    settings = parse_settings(doc.value)
    if verdict is not None:
        verdict.remember(settings)
    return settings, []


def _verdict(root: Path, path: Path) -> SettingsVerdict | None:
    from catalogue.load.settings_verdict import SettingsVerdict

    return SettingsVerdict.read(root, path)


def _cache_dir_findings(doc: YamlDocument) -> list[Finding]:
    """The cache folder must not be a record's or a kind's folder (nor inside one), nor git's:
    the schema already keeps it relative and free of ``..``."""
    artefacts = doc.value.get("artefacts")
    cache_dir = artefacts.get("cache_dir") if isinstance(artefacts, dict) else None
    if not isinstance(cache_dir, str):
        return []
    first = cache_dir.split("/", 1)[0]
    if first not in KINDS_BY_FOLDER and first != ".git":
        return []
    line, column = doc.key_position(("artefacts", "cache_dir"))
    return [error("schema", f"field 'artefacts.cache_dir': '{cache_dir}' is inside the "
                  f"catalogue's {first}/ folder; expected a folder of its own, such as "
                  f"{DEFAULT_CACHE_DIR}", Location(SETTINGS_FILE, line, column),
                  None, "artefacts.cache_dir")]


def parse_settings(data: Mapping[str, Any]) -> Settings:
    """Typed settings from a ``catalogue.yaml`` mapping the schema has accepted: its keys are
    the fields' names (the schema and the dataclasses agree; a test holds them together)."""
    sections = {"limits": Limits, "artefacts": ArtefactSettings, "quality": QualitySettings,
                "parity": ParitySettings}
    values: dict[str, Any] = {k: v for k, v in data.items() if k not in (*sections, "carbon")}
    for name, section in sections.items():
        if name in data:
            values[name] = section(**data[name])
    if "carbon" in data:
        carbon = dict(data["carbon"])
        carbon["bands"] = CarbonBands(**carbon.get("bands", {}))
        values["carbon"] = CarbonSettings(**carbon)
    return Settings(**values)
