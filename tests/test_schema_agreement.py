"""The compiled validator (jsonschema-rs) that passes valid records quickly agrees with the one
that explains failures (jsonschema) on every record of the example catalogue and on each of
many mutations of them: were it ever more lenient, a broken record would pass unreported."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalogue.load.schema_check import _default_validators, _quickly_valid
from catalogue.load.settings_file import SCHEMA_FILE as SETTINGS_SCHEMA
from catalogue.model.kinds import KINDS_BY_FOLDER, SETTINGS_FILE
from catalogue.model.yaml_source import read_yaml_file

REPOSITORY = Path(__file__).resolve().parents[1]

# Values of every JSON type, and strings each aimed at a format or pattern the schemas use.
REPLACEMENTS: tuple[Any, ...] = (
    None, True, 0, -1, 1.5, 10**20, "", "x", "slug\n", "Not A Slug", "2025-13-45", "2025-01-01",
    "2025-01-01T10:00:00Z", "not a uri", "https://example.org/x", "mailto:", "a@b", "MIT",
    "MIT AND NOPE-1.0", [], ["x"], [1], {}, {"unknown_field": 1},
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _mutations(value: Any) -> Iterator[Any]:
    """The record with one field replaced by each of ``REPLACEMENTS``, removed, or given an
    unknown neighbour."""
    for path in list(_paths(value))[1:]:
        for replacement in (*REPLACEMENTS, "remove", "neighbour"):
            mutated = copy.deepcopy(value)
            parent = mutated
            for part in path[:-1]:
                parent = parent[part]
            if replacement == "remove":
                del parent[path[-1]]
            elif replacement == "neighbour":
                if not isinstance(parent, dict):
                    continue
                parent["an_unknown_field"] = 1
            else:
                parent[path[-1]] = replacement
            yield mutated


def _richest_records() -> dict[str, Any]:
    """Of each kind, the example record with the most fields; and the catalogue's settings."""
    chosen = {SETTINGS_SCHEMA: read_yaml_file(REPOSITORY / SETTINGS_FILE).value}
    for folder, kind in sorted(KINDS_BY_FOLDER.items()):
        values = [read_yaml_file(path).value
                  for path in sorted((REPOSITORY / folder).glob("*/record.yaml"))]
        chosen[kind.schema_file] = max(values, key=lambda value: len(list(_paths(value))))
    return chosen


RECORDS = _richest_records()


@pytest.mark.parametrize("schema_file", sorted(RECORDS))
def test_both_validators_agree(schema_file: str) -> None:
    validators = _default_validators(schema_file)
    value = RECORDS[schema_file]
    mutations = list(_mutations(value))
    sample = random.Random(schema_file).sample(mutations, min(400, len(mutations)))
    checked = invalid = 0
    for document in (value, *sample):
        quick = _quickly_valid(validators.quick, document)
        telling = not any(True for _ in validators.telling.iter_errors(document))
        assert quick == telling, (schema_file, document)
        checked += 1
        invalid += not telling
    assert invalid > checked // 4  # the mutations do break records
