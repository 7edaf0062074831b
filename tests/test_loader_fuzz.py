"""Random and mutated YAML never makes the loader raise: every problem becomes a finding."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from conftest import MINIMAL, write_catalogue
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.pipeline import validate

VALID_TEXTS = {record_id: yaml.safe_dump(data, sort_keys=False)
               for record_id, data in MINIMAL.items()}
TARGET = "experiments/test-run"

YAML_PIECES = ["\n", ": ", "- ", "[", "]", "{", "}", "&a ", "*a ", "!!str ", "!!python/name:x ",
               "<<: ", "---\n", "...\n", "? ", "'", '"', "#", "\t", "  ", "|\n", ">-\n",
               "%YAML 1.1\n",
               "kind", "model", "license", "null", "~", "1e9", "0x1F", ".nan", "2025-01-01", "\x00",
               "\ufeff", "é", "\\u0000"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=20))
values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=20)


def _check(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_catalogue(root, {k: v for k, v in VALID_TEXTS.items() if k != TARGET})
        path = root / TARGET / "record.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        findings, _ = validate(root)
        for finding in findings:
            assert finding.location.line >= 1 and finding.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    _check(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_valid_record(data: st.DataObject) -> None:
    text = VALID_TEXTS[TARGET]
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = data.draw(st.sampled_from(YAML_PIECES))
        if action == "insert":
            text = text[:position] + piece + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + data.draw(st.integers(1, 20)):]
        else:
            text = text[:position] + piece + text[position + len(piece):]
    _check(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["kind", "name", "datasets", "start_time", "end_time",
                                        "duration_seconds", "produced_models", "status",
                                        "resource_utilizations", "metrics", "base_model",
                                        "parent_version", "created_by", "license", "x"]),
                       values, max_size=8))
def test_wrong_shapes_in_known_fields(fields: dict[str, object]) -> None:
    record = dict(MINIMAL[TARGET])
    record.update(fields)
    _check(yaml.safe_dump(record, allow_unicode=True))
