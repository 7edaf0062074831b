"""Facts that files which cannot import Python (YAML, JSON Schema) repeat must agree with the one
declaration in the package: kind folders, the slug rule, lifecycle states, and the values the
Hugging Face importer writes must be ones the schemas allow."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalogue.importers.huggingface import DATASET_FORMATS, FRAMEWORKS, MODEL_TYPES
from catalogue.load.schema_check import enum_values, schema_documents
from catalogue.model.ids import SLUG_PATTERN
from catalogue.model.kinds import KINDS, SETTINGS_FILE
from catalogue.model.lifecycle import STATUSES

REPOSITORY = Path(__file__).resolve().parents[1]
DEFS = schema_documents()["defs.schema.json"]["$defs"]
SLUG_BODY = SLUG_PATTERN.removeprefix("^").removesuffix("$")


def _hooks(file: str) -> list[dict[str, Any]]:
    document = yaml.safe_load((REPOSITORY / file).read_text(encoding="utf-8"))
    if isinstance(document, list):  # .pre-commit-hooks.yaml: the hooks themselves
        return document
    return [hook for repo in document["repos"] for hook in repo["hooks"]]


def _hook_files(file: str, entry: str) -> re.Pattern[str]:
    hooks = [h for h in _hooks(file) if h.get("entry") == entry]
    assert hooks, f"{file} has no hook running {entry}"
    [hook] = hooks
    return re.compile(hook["files"])


@pytest.mark.parametrize("file", [".pre-commit-hooks.yaml", ".pre-commit-config.yaml"])
def test_omh_validate_hooks_see_every_kind_folder(file: str) -> None:
    files = _hook_files(file, "omh validate")
    missing = [kind.folder for kind in KINDS.values()
               if not files.search(f"{kind.folder}/some-slug/record.yaml")]
    assert not missing, f"{file}: 'files:' of omh validate misses the folders {missing}"
    assert files.search(SETTINGS_FILE) and not files.search("docs/readme.md")


def test_omh_parity_hook_sees_the_model_folder() -> None:
    files = _hook_files(".pre-commit-hooks.yaml", "omh parity")
    assert files.search(f"{KINDS['model'].folder}/some-slug/model.onnx")


def test_the_schemas_slug_rule_is_the_packages() -> None:
    assert DEFS["slug"]["pattern"] == SLUG_PATTERN


def test_every_kind_has_an_id_definition_with_the_slug_rule() -> None:
    for kind in KINDS.values():
        name = f"{kind.name}_id"
        assert name in DEFS, f"defs.schema.json has no '{name}' for the kind {kind.name}"
        assert DEFS[name]["pattern"] == f"^{re.escape(kind.folder)}/{SLUG_BODY}$", name
    id_definitions = {name.removesuffix("_id") for name, value in DEFS.items()
                      if name.endswith("_id") and f"/{SLUG_BODY}" in value.get("pattern", "")}
    assert id_definitions - {"record"} == set(KINDS)


def test_a_record_id_is_any_kind_folder_and_a_slug() -> None:
    pattern = DEFS["record_id"]["pattern"]
    match = re.fullmatch(rf"\^\(([a-z|]+)\)/{re.escape(SLUG_BODY)}\$", pattern)
    assert match, pattern
    assert set(match.group(1).split("|")) == {kind.folder for kind in KINDS.values()}


def test_lifecycle_states_are_the_schemas() -> None:
    assert tuple(enum_values("lifecycle_status")) == STATUSES


@pytest.mark.parametrize(("enum", "written"), [
    ("framework", set(FRAMEWORKS.values())),
    ("dataset_format", set(DATASET_FORMATS.values())),
    ("model_type", set(MODEL_TYPES)),
])
def test_the_hugging_face_importer_writes_only_schema_values(enum: str, written: set[str]) -> None:
    assert written <= set(enum_values(enum)), written - set(enum_values(enum))
