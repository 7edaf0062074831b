"""catalogue.yaml is read once into typed, frozen settings; the schema, the dataclasses and the
defaults say the same thing."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalogue.derive.carbon_defaults import BAND_SETTINGS, carbon_defaults
from catalogue.load.schema_check import schema_documents
from catalogue.load.settings_file import SCHEMA_FILE, load_settings
from catalogue.model.settings import Settings

SCHEMA = schema_documents()[SCHEMA_FILE]


def _write(root: Path, settings: dict[str, Any]) -> Path:
    (root / "catalogue.yaml").write_text(yaml.safe_dump(settings, sort_keys=False),
                                         encoding="utf-8")
    return root


def test_every_section_is_read_into_typed_fields(tmp_path: Path) -> None:
    _write(tmp_path, {
        "title": "Lab Hub", "description": "Models of the lab.", "language": "de",
        "publisher": "organizations/lab", "site_url": "https://lab.example/",
        "limits": {"max_record_bytes": 4096},
        "artefacts": {"cache_dir": "cache", "max_download_bytes": 10, "timeout_seconds": 1.5},
        "quality": {"minimum_score": 70, "apply_to": "all"},
        "carbon": {"pue": 1.4, "threshold_kg": 2, "bands": {"medium_kg": 0.5}},
    })
    settings, findings = load_settings(tmp_path)
    assert findings == []
    assert (settings.title, settings.language, settings.publisher) == (
        "Lab Hub", "de", "organizations/lab")
    assert settings.limits.max_record_bytes == 4096
    assert (settings.artefacts.cache_dir, settings.artefacts.max_download_bytes,
            settings.artefacts.timeout_seconds) == ("cache", 10, 1.5)
    assert (settings.quality.minimum_score, settings.quality.apply_to) == (70, "all")
    assert settings.carbon.pue == 1.4 and settings.carbon.gpu_power_watts is None
    assert settings.carbon.bands.medium_kg == 0.5 and settings.carbon.bands.high_kg is None
    carbon = carbon_defaults(settings)
    assert (carbon.pue, carbon.threshold_kg, carbon.medium_from_kg) == (1.4, 2.0, 0.5)
    assert carbon.overridden == {"pue", "threshold_kg", "medium_from_kg"}
    assert carbon.source("pue") == "catalogue.yaml (carbon settings)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.quality.minimum_score = 0  # type: ignore[misc]


def test_a_file_with_a_finding_gives_the_defaults_and_says_where(tmp_path: Path) -> None:
    _write(tmp_path, {"title": "Lab Hub", "quality": {"minimum_score": 60, "apply_to": "some"},
                      "artefacts": {"timeout": 5}})
    settings, findings = load_settings(tmp_path)
    assert settings == Settings()
    messages = [f"{f.location.path}:{f.location.line}: {f.message}" for f in findings]
    assert any(m.startswith("catalogue.yaml:4:") and "quality.apply_to" in m and "'some'" in m
               for m in messages), messages
    assert any("artefacts.timeout" in m and "timeout_seconds" in m for m in messages), messages
    assert load_settings(tmp_path / "nowhere") == (Settings(), [])


def _section_types(cls: type[Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {item.name: hints[item.name] for item in dataclasses.fields(cls)}


def _agree(schema: dict[str, Any], cls: type[Any], where: str) -> None:
    fields = _section_types(cls)
    assert set(schema["properties"]) == set(fields), where
    for name, hint in fields.items():
        if dataclasses.is_dataclass(hint):
            _agree(schema["properties"][name], typing.cast(type[Any], hint), f"{where}.{name}")


def test_the_schema_and_the_dataclasses_name_the_same_settings() -> None:
    _agree(SCHEMA, Settings, "catalogue.yaml")


def _defaults(schema: dict[str, Any], path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    found: dict[tuple[str, ...], Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if "default" in prop:
            found[(*path, name)] = prop["default"]
        found.update(_defaults(prop, (*path, name)))
    return found


def _effective(settings: Settings, path: tuple[str, ...]) -> Any:
    if path[0] == "carbon":  # overrides of carbon accounting's sourced defaults
        name = BAND_SETTINGS[path[-1]] if path[1] == "bands" else path[1]
        return getattr(carbon_defaults(settings), name)
    value: Any = settings
    for name in path:
        value = getattr(value, name)
    return value


def test_the_defaults_the_schema_documents_are_the_ones_used(tmp_path: Path) -> None:
    settings, findings = load_settings(_write(tmp_path, {"title": "Open Models Hub"}))
    assert findings == []
    documented = _defaults(SCHEMA)
    assert len(documented) >= 15
    for path, default in documented.items():
        assert _effective(settings, path) == default, ".".join(path)


def test_every_default_a_setting_has_is_documented_in_the_schema() -> None:
    documented = _defaults(SCHEMA)

    def walk(cls: type[Any], path: tuple[str, ...]) -> None:
        for item in dataclasses.fields(cls):
            hint = _section_types(cls)[item.name]
            if dataclasses.is_dataclass(hint):
                walk(typing.cast(type[Any], hint), (*path, item.name))
            elif item.default is not None:
                assert (*path, item.name) in documented, ".".join((*path, item.name))

    walk(Settings, ())
