"""The catalogue's JSON writer (orjson, Python's ``json`` for what orjson does not take): read
back by Python's own parser, every value is what was written, in the order asked for."""

from __future__ import annotations

import json

import pytest

from catalogue.standards.json_text import json_bytes, json_text
from site_generator.tracing import trace, traced, traced_list

VALUES = [
    {"name": "Modèle ü", "zeta": 1, "alpha": [0.1, 1e-05, 1e20, -0.0, 2**63 - 1, None, True]},
    {"é": {"b": [], "a": {}}, "E": "line\u2028break\x00\x7f", "Z": [{"z": 1, "y": [1, 2]}]},
    [1.5e300, 5e-324, "</script>", ""],
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("indent", [False, True])
@pytest.mark.parametrize("sort_keys", [False, True])
def test_json_reads_back_as_the_value_in_the_order_asked(value: object, indent: bool,
                                                         sort_keys: bool) -> None:
    text = json_text(value, indent=indent, sort_keys=sort_keys)
    assert json.loads(text) == value
    again = json.loads(text, object_pairs_hook=list)  # each object's keys in written order
    expected = json.loads(json.dumps(value, sort_keys=sort_keys), object_pairs_hook=list)
    assert again == expected
    assert ("\n  " in text) is (indent and text.startswith(("{\n", "[\n")))
    assert "\\u00" not in text.replace("\\u0000", "")  # letters as they are, not escaped
    assert json_bytes(value, indent=indent, sort_keys=sort_keys) == text.encode()


def test_indented_json_is_pythons_but_for_how_numbers_are_spelt() -> None:
    value = {"a": [1, "x", {"b": None}], "c": {}}
    assert json_text(value, indent=True) == json.dumps(value, indent=2, ensure_ascii=False)
    assert json_text(value) == json.dumps(value, separators=(",", ":"))


@pytest.mark.parametrize("value", [{"n": 2**70}, {1: "one", "2": "two"}, [-(2**64)]])
def test_what_orjson_refuses_is_written_by_pythons_json(value: object) -> None:
    for indent in (False, True):
        text = json_text(value, indent=indent)
        assert text == json.dumps(value, indent=2 if indent else None,
                                  separators=None if indent else (",", ":"),
                                  ensure_ascii=False)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_number_json_cannot_hold_is_refused_wherever_it_is(bad: float) -> None:
    # (with a whole number orjson does not take, Python's json writes the rest)
    # (a JSON-LD document: its context, whose terms hold nulls, is not walked; the rest is)
    context = {"@language": "en", "code": {"@id": "ex:code", "@language": None}}
    for value in (bad, {"a": [1, {"b": bad}]}, [("x", bad)], {"n": 2**70, "x": [bad]},
                  {"@context": context, "code": "x", "data": [{"v": bad}]}):
        for indent in (False, True):
            with pytest.raises(ValueError, match="not finite"):
                json_text(value, indent=indent)


def test_writing_a_traced_table_notes_no_walk_of_it() -> None:
    """The check for numbers reads a dict's or list's items as the encoders do: a page that
    writes part of a traced table has not read the whole table."""
    table = traced("t", {"a": 1.5})
    rows = traced_list("r", [1, 2.5])
    with trace() as reads:
        assert json_text({"table": table, "rows": rows}) == '{"table":{"a":1.5},"rows":[1,2.5]}'
    assert reads == set()
