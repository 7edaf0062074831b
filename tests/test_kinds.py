"""The kind registry: every kind has every fact and an entry in every per-kind table of the later
stages, and a table that lacks a kind is refused when its module is imported, naming both."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

import catalogue.derive.quality.criteria as criteria
import catalogue.standards.jsonld as jsonld
import site_generator.kind_views as kind_views
from catalogue.load.schema_check import declared_properties
from catalogue.model.kinds import KINDS, TABLES, KindTableError, RecordKind, per_kind

REPOSITORY = Path(__file__).resolve().parents[1]
SCHEMAS = REPOSITORY / "schemas"
STAGE_TABLES = {
    "quality criteria": "catalogue.derive.quality.criteria",
    "JSON-LD mappings": "catalogue.standards.jsonld",
    "site pages": "site_generator.kind_views",
}
"""Every per-kind table, and the module that builds it, in pipeline order."""


def _defs() -> dict[str, dict[str, object]]:
    return dict(json.loads((SCHEMAS / "defs.schema.json").read_text("utf-8"))["$defs"])


def test_every_stage_table_has_every_kind_in_registry_order() -> None:
    assert set(TABLES) == set(STAGE_TABLES)
    for what, table in TABLES.items():
        assert list(table) == list(KINDS), what
    assert jsonld._MAPPERS is TABLES["JSON-LD mappings"]
    assert criteria.CRITERIA is TABLES["quality criteria"]
    assert kind_views.VIEWS is TABLES["site pages"]


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_each_kind_declares_every_fact(kind: RecordKind) -> None:
    schema = json.loads((SCHEMAS / kind.schema_file).read_text("utf-8"))
    assert schema["properties"]["kind"] == {"const": kind.name}
    defs = _defs()
    reference = defs[f"{kind.name}_id"]
    assert str(reference["pattern"]).startswith(f"^{kind.folder}/")
    record_id = defs["record_id"]
    assert isinstance(record_id, dict)
    assert kind.folder in re.findall(r"\w+", str(record_id["pattern"]).split(")")[0])
    fields = declared_properties(kind.schema_file)
    for ref in kind.references:
        assert ref.path[0] in fields, (kind.name, ref.path)
        assert ref.target in KINDS, (kind.name, ref.target)
    templates = resources.files("catalogue").joinpath("templates")
    assert templates.joinpath(kind.scaffolding.record).is_file()
    if kind.card is not None:
        assert templates.joinpath(kind.card.template).is_file()
        assert kind.card.sections
    assert kind.schema_types and all(kind.schema_types)
    assert (kind.citing is not None) == kind.is_asset
    assert (criteria.CRITERIA[kind.name] is not None) == kind.is_asset
    view = kind_views.VIEWS[kind.name]
    assert (REPOSITORY / "site_generator" / "templates" / view.template).is_file()
    assert view.columns and view.columns[0].title


def test_every_asset_is_judged_by_criteria_that_exist() -> None:
    for name, judged in criteria.CRITERIA.items():
        assert judged is None or set(judged) <= set(criteria.CHECKS_BY_ID), name
    for check in criteria.QUALITY_CHECKS:
        assert check.kinds, f"{check.id} applies to no kind"


def test_a_table_without_a_kind_is_refused_naming_the_kind_and_the_table() -> None:
    entries = {k: v for k, v in jsonld._MAPPERS.items() if k != "workflow"}
    with pytest.raises(KindTableError) as refused:
        per_kind("JSON-LD mappings", entries)
    message = str(refused.value)
    assert "JSON-LD mappings" in message and "no entry for the kind 'workflow'" in message


def test_a_registry_without_a_kind_refuses_the_tables_that_still_name_it() -> None:
    registry = {name: kind for name, kind in KINDS.items() if name != "experiment"}
    with pytest.raises(KindTableError) as refused:
        per_kind("site pages", kind_views.VIEWS, registry)
    message = str(refused.value)
    assert "site pages" in message and "an entry for 'experiment', which is not a kind" in message
    assert per_kind("site pages", kind_views.VIEWS) == kind_views.VIEWS


@pytest.mark.parametrize(("what", "module"), STAGE_TABLES.items())
def test_a_kind_added_without_its_entries_stops_the_import(what: str, module: str) -> None:
    """What a contributor adding a kind sees: the stage refuses to load, naming the kind and
    the table, instead of a KeyError halfway through a build or a silent fallback. The stages
    before it are loaded first, so that it is this table that refuses."""
    earlier = list(STAGE_TABLES.values())[:list(STAGE_TABLES).index(what)]
    script = "".join(f"import {m}\n" for m in earlier) + (
        "import catalogue.model.kinds as k\n"
        "k.KINDS['software'] = k.KINDS['workflow']._replace(name='software', folder='software')\n"
        f"import {module}\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=REPOSITORY, check=False)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("catalogue.model.kinds.KindTableError: ")
    assert f"the per-kind table of {what} has no entry for the kind 'software'" in last
