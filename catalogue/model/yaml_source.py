"""Safe YAML reading that remembers where every value came from.

PyYAML composes the document into nodes (which carry their marks); we build plain Python values
from the nodes ourselves so that we can:

* keep the line and column of every key and value, addressed by its path (a tuple of keys and
  list indexes), so any later message can point at it;
* refuse duplicate keys, merge keys, custom tags, and alias expansion beyond a budget of values
  and of characters, counted as expanded ("billion laughs", or one long string aliased many
  times), instead of guessing;
* refuse numbers that JSON and the site's exports cannot carry: NaN, infinities (``1e400``
  included) and integers outside 64 bits;
* resolve plain scalars with YAML 1.2 core rules: ``no``, ``on`` and ``2024-01-01`` stay strings,
  so nothing is silently turned into a boolean or a date.
"""

from __future__ import annotations

import math
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.cyaml import CParser  # type: ignore[attr-defined]
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from catalogue.model.findings import clip

FieldPath = tuple[str | int, ...]

DEFAULT_MAX_BYTES = 1_048_576
MAX_NODES = 50_000
MAX_DEPTH = 64
EXPANSION_FACTOR = 2
"""A document may expand (aliases written out) to at most this many times its size limit in
characters: every later stage, and every message, then handles a bounded amount of text."""
INT_RANGE = (-(2**63), 2**63 - 1)
_MAX_INT_TEXT = 40

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_KNOWN_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ}


class Core12Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema for plain scalars (no yes/no booleans, no sexagesimal, no dates)."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's class registry)


for _tag, _pattern, _first in [
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (_FLOAT, r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
             r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_MERGE, r"^(?:<<)$", "<"),
]:
    Core12Resolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


if yaml.__with_libyaml__:
    class _Composer(CParser, Core12Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Core12Resolver.__init__(self)
else:  # pragma: no cover - libyaml is present wherever PyYAML wheels are used
    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
        Core12Resolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            Core12Resolver.__init__(self)


class YamlError(Exception):
    """Bad YAML: a message for a person and the line/column (1-based) it is about."""

    def __init__(self, message: str, line: int = 1, column: int = 1, rule: str = "yaml-syntax"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule


@dataclass
class YamlDocument:
    """A loaded document: the value, and the position of every value and key in it.

    Pickled (the record cache keeps documents), the positions travel as one pickle of their
    own, unpickled when first asked for: a build reads ten thousand documents' values, and
    positions only where it reports something, while the positions' many small tuples were
    a third of the time to load the cache."""

    value: Any
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def __getstate__(self) -> tuple[Any, bytes]:
        return self.value, pickle.dumps((self.positions, self.key_positions),
                                        protocol=pickle.HIGHEST_PROTOCOL)

    def __setstate__(self, state: tuple[Any, bytes]) -> None:
        self.value, self._packed_positions = state

    def __getattr__(self, name: str) -> Any:
        """The positions, unpickled on first use (``__setstate__`` left them packed)."""
        packed = self.__dict__.get("_packed_positions")
        if name not in ("positions", "key_positions") or packed is None:
            raise AttributeError(name)
        self.positions, self.key_positions = pickle.loads(packed)
        del self._packed_positions
        return getattr(self, name)

    def position(self, path: FieldPath) -> tuple[int, int]:
        """Where the value at ``path`` is, or its nearest ancestor that exists."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))

    def key_position(self, path: FieldPath) -> tuple[int, int]:
        return self.key_positions.get(path) or self.position(path)


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _describe_path(path: FieldPath) -> str:
    return format_path(path) or "the document"


def format_path(path: FieldPath) -> str:
    """``("metrics", 0, "name")`` -> ``metrics[0].name``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Builder:
    def __init__(self, max_chars: int) -> None:
        self.doc = YamlDocument(None)
        self.nodes = 0
        self.chars = 0
        self.max_chars = max_chars

    def _count(self, node: Node, path: FieldPath) -> None:
        """Count ``node`` (once per place it appears, aliases included) against the budgets."""
        self.nodes += 1
        if isinstance(node, ScalarNode):
            self.chars += len(node.value)
        if self.nodes > MAX_NODES or self.chars > self.max_chars:
            what = (f"more than {MAX_NODES:,} values" if self.nodes > MAX_NODES
                    else f"more than {self.max_chars:,} characters")
            raise YamlError(
                f"the document expands to {what} (at {_describe_path(path)}); this usually "
                "means aliases (*name) that multiply: write the values out instead",
                *_mark(node), rule="yaml-too-complex")

    def build(self, node: Node, path: FieldPath, active: frozenset[int]) -> Any:
        self._count(node, path)
        if len(path) > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels at {_describe_path(path)}",
                            *_mark(node), rule="yaml-too-complex")
        self.doc.positions.setdefault(path, _mark(node))
        if node.tag not in _KNOWN_TAGS:
            raise YamlError(f"tag {clip(node.tag)} at {_describe_path(path)} is not allowed: "
                            "records use plain YAML values only", *_mark(node), rule="yaml-tag")
        if id(node) in active:
            raise YamlError(f"recursive alias at {_describe_path(path)}", *_mark(node),
                            rule="yaml-too-complex")
        if isinstance(node, MappingNode):
            return self._mapping(node, path, active | {id(node)})
        if isinstance(node, SequenceNode):
            inner = active | {id(node)}
            return [self.build(item, (*path, i), inner) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return _scalar(node, path)

    def _mapping(self, node: MappingNode, path: FieldPath,
                 active: frozenset[int]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise YamlError(f"merge key '<<' at {_describe_path(path)} is not supported: "
                                "write the fields out", *_mark(key_node), rule="yaml-merge-key")
            if not isinstance(key_node, ScalarNode):
                raise YamlError(f"a key at {_describe_path(path)} is a list or mapping; keys must "
                                "be plain names", *_mark(key_node), rule="yaml-key")
            self._count(key_node, path)
            key = key_node.value
            child = (*path, key)
            if key in result:
                first = self.doc.key_positions[child][0]
                raise YamlError(f"duplicate key {clip(key)} in {_describe_path(path)} (first "
                                f"defined on line {first}); remove one of them", *_mark(key_node),
                                rule="duplicate-key")
            self.doc.key_positions[child] = _mark(key_node)
            result[key] = self.build(value_node, child, active)
        return result


def _scalar(node: ScalarNode, path: FieldPath) -> Any:
    text = node.value
    if node.tag == _STR:
        return text
    if node.tag == _NULL:
        return None
    if node.tag == _BOOL:
        return text.lower() == "true"
    shown = clip(text)
    if node.tag == _INT and len(text) > _MAX_INT_TEXT:
        raise _out_of_range(node, path, shown)
    try:
        if node.tag == _INT:
            number = int(text, 0) if text.startswith(("0o", "0x")) else int(text)
            if not INT_RANGE[0] <= number <= INT_RANGE[1]:
                raise _out_of_range(node, path, shown)
            return number
        value = float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
                      .replace(".nan", "nan").replace(".NaN", "nan").replace(".NAN", "nan"))
    except ValueError as exc:  # explicit !!int / !!float tags on text that is not a number
        raise YamlError(f"value {shown} at {_describe_path(path)} is tagged {node.tag} but is not "
                        "a number", *_mark(node), rule="yaml-tag") from exc
    if not math.isfinite(value):
        raise YamlError(f"value {shown} at {_describe_path(path)} is not a finite number: JSON "
                        "and the catalogue's exports have no NaN or infinity; write a number, or "
                        "leave the field out", *_mark(node), rule="yaml-number")
    return value


def _out_of_range(node: ScalarNode, path: FieldPath, shown: str) -> YamlError:
    return YamlError(f"value {shown} at {_describe_path(path)} is out of range: whole numbers "
                     "must fit in 64 bits (-2^63 to 2^63-1)", *_mark(node), rule="yaml-number")


def parse_yaml(text: str, max_chars: int = EXPANSION_FACTOR * DEFAULT_MAX_BYTES) -> YamlDocument:
    """Parse one YAML document. Raises ``YamlError`` for anything we will not guess about;
    ``max_chars`` bounds the characters of its values and keys once aliases are expanded."""
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        raise YamlError(f"YAML syntax error: {problem}", line, col) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}") from exc
    finally:
        composer.dispose()
    builder = _Builder(max_chars)
    if node is None:
        return builder.doc
    builder.doc.value = builder.build(node, (), frozenset())
    return builder.doc


def read_yaml_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> YamlDocument:
    """Read and parse a file, refusing oversized or non-UTF-8 files before parsing."""
    size = path.stat().st_size
    if size > max_bytes:
        raise YamlError(f"file is {size:,} bytes; records may be at most {max_bytes:,} bytes "
                        "(move large content into a separate file or artefact)", rule="too-large")
    return parse_yaml_bytes(path.read_bytes(), max_bytes)


def parse_yaml_bytes(raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> YamlDocument:
    """Parse a file's bytes as ``read_yaml_file`` does once it has read them (``max_bytes``:
    the limit they were read under, which bounds what aliases may expand to)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(f"file is not valid UTF-8 (byte {exc.start})", line,
                        rule="encoding") from exc
    return parse_yaml(text.removeprefix("\ufeff"),
                      EXPANSION_FACTOR * max(max_bytes, DEFAULT_MAX_BYTES))
