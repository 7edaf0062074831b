"""JSON Schema validation of records, with messages that say where, what was found and what was
expected (and, for a misspelt field or value, the nearest known name)."""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlparse

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from catalogue.load.schema_dir import SCHEMA_DIR
from catalogue.model.dates import DateError, parse_date_or_datetime, parse_datetime
from catalogue.model.findings import Finding, Location, clip, error
from catalogue.model.yaml_source import FieldPath, YamlDocument, format_path

# Spellings people reach for first; difflib covers plain typos.
_SYNONYMS = {
    "licence": "license", "organisation": "organization", "author": "created_by",
    "authors": "created_by", "creator": "created_by", "creators": "created_by",
    "title": "name", "keywords": "subjects", "tags": "subjects", "doi": "persistent_identifier",
    "utilisation": "utilization", "resource_utilisations": "resource_utilizations",
    "orcid": "orcid_id", "affiliation": "affiliations", "datasets_used": "datasets",
}


@functools.cache
def schema_documents() -> dict[str, dict[str, Any]]:
    """Every schema shipped with the package, by file name."""
    return {
        entry.name: json.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(SCHEMA_DIR.glob("*.schema.json"))
    }


@functools.cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry()
    for document in schema_documents().values():
        registry = registry.with_resource(document["$id"],
                                          Resource.from_contents(document, DRAFT202012))
    return registry


LicenceCheck = Callable[[str], str | None]
"""What is wrong with a licence expression (``None``: nothing); by default
``catalogue.model.licenses.check_spdx_expression``."""


def _spdx_problem(expression: str) -> str | None:
    from catalogue.model.licenses import check_spdx_expression  # the SPDX list: slow to load

    return check_spdx_expression(expression)


def _format_checker(licence_check: LicenceCheck = _spdx_problem) -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("iso8601-date-or-datetime", raises=DateError)
    def _date_or_datetime(value: object) -> bool:
        if isinstance(value, str):
            parse_date_or_datetime(value)
        return True

    @checker.checks("iso8601-datetime", raises=DateError)
    def _datetime(value: object) -> bool:
        if isinstance(value, str):
            parse_datetime(value)
        return True

    @checker.checks("spdx-expression", raises=ValueError)
    def _spdx(value: object) -> bool:
        if isinstance(value, str):
            problem = licence_check(value)
            if problem:
                raise ValueError(problem)
        return True

    @checker.checks("uri", raises=ValueError)
    def _uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parsed = urlparse(value)
        return bool(parsed.scheme and parsed.netloc) and " " not in value

    @checker.checks("email")
    def _email(value: object) -> bool:
        return not isinstance(value, str) or bool(
            re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", value))

    return checker


@functools.cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """A schema ``pattern`` compiled with JSON Schema's (ECMA-262) meaning of ``$``: the end of
    the text. Python's ``$`` also matches before a final newline, which would let
    ``"slug\\n"`` pass ``^[a-z0-9-]+$``; here every ``$`` outside a character class is ``\\Z``."""
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append("\\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{clip(instance)} does not match {pattern!r}")


_Validator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern})


class _Validators(NamedTuple):
    """One schema's two validators: ``quick`` (jsonschema-rs, compiled) answers whether a
    document is valid; ``telling`` (jsonschema) says where and why when it is not."""

    quick: jsonschema_rs.Draft202012Validator
    telling: Draft202012Validator


@functools.cache
def _default_validators(schema_file: str) -> _Validators:
    return _validators(schema_file, _format_checker())


@functools.lru_cache(maxsize=64)
def _validators_with(schema_file: str, licence_check: LicenceCheck) -> _Validators:
    """The validators with ``licence_check`` in the format checker (a few stores' worth)."""
    return _validators(schema_file, _format_checker(licence_check))


def _validators(schema_file: str, format_checker: FormatChecker) -> _Validators:
    schema = schema_documents()[schema_file]
    telling: Draft202012Validator = _Validator(schema, registry=_registry(),
                                               format_checker=format_checker)
    # The same formats, by the same functions; an unknown format is refused, not ignored, so
    # that the quick validator is never more lenient than the telling one. Its regular
    # expressions follow ECMA-262, as ``ecma_regex`` makes Python's.
    formats: dict[str, Callable[..., bool]] = {
        name: functools.partial(format_checker.conforms, format=name)
        for name in format_checker.checkers}
    quick = jsonschema_rs.Draft202012Validator(
        schema, registry=_quick_registry(), formats=formats, validate_formats=True,
        ignore_unknown_formats=False)
    return _Validators(quick, telling)


@functools.cache
def _quick_registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry([(document["$id"], document)
                                   for document in schema_documents().values()])


def _quickly_valid(validator: jsonschema_rs.Draft202012Validator, value: Any) -> bool:
    """Whether jsonschema-rs finds ``value`` valid; ``False`` when it cannot tell (a value of a
    type JSON does not have, such as a date YAML typed): jsonschema then decides."""
    try:
        return bool(validator.is_valid(value))
    except (ValueError, TypeError, OverflowError):
        return False


@functools.cache
def declared_properties(schema_file: str) -> frozenset[str]:
    """Every property name the kind's schema declares at the top level, variants included."""
    return frozenset(_properties_of(schema_documents()[schema_file], schema_file, set()))


def _properties_of(schema: Mapping[str, Any], base: str, seen: set[str]) -> Iterator[str]:
    yield from schema.get("properties", {})
    for keyword in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(keyword, []):
            yield from _properties_of(sub, base, seen)
    for keyword in ("then", "else"):
        if keyword in schema:
            yield from _properties_of(schema[keyword], base, seen)
    ref = schema.get("$ref")
    if ref and ref not in seen:
        seen.add(ref)
        target_file, document = _resolve(ref, base)
        yield from _properties_of(document, target_file, seen)


def _resolve(ref: str, base: str) -> tuple[str, Mapping[str, Any]]:
    """The schema a ``$ref`` names, and its file. A local ref (``#/$defs/...``) is looked up in
    ``base`` first, then in the other schema files: a subschema reported by the validator does
    not say which file it came from."""
    target_file, _, pointer = ref.partition("#")
    documents = schema_documents()
    candidates = [target_file] if target_file else [base, *sorted(documents)]
    for candidate in candidates:
        document: Any = documents.get(candidate)
        for part in filter(None, pointer.split("/")):
            document = document.get(part) if isinstance(document, dict) else None
        if isinstance(document, dict):
            return candidate, document
    return base, {}


def validate_document(doc: YamlDocument, schema_file: str, file: str, record_id: str | None,
                      skip_paths: frozenset[FieldPath] = frozenset(),
                      licence_check: LicenceCheck | None = None) -> list[Finding]:
    """Validate ``doc`` against a schema; one finding per problem, located on its line.
    ``licence_check`` stands in for ``check_spdx_expression`` (one that remembers verdicts)."""
    findings: list[Finding] = []
    validators = _default_validators(schema_file) if licence_check is None else \
        _validators_with(schema_file, licence_check)
    if _quickly_valid(validators.quick, doc.value):
        return findings
    errors = [err for err in validators.telling.iter_errors(doc.value)
              if tuple(err.absolute_path) not in skip_paths]
    # In JSON Schema 2020-12 a failing subschema evaluates nothing, so when any other rule fails,
    # valid fields show up as "unevaluated": then only truly unknown names are reported.
    sound = all(err.validator == "unevaluatedProperties" for err in errors)
    for err in errors:
        findings.extend(_describe(err, tuple(err.absolute_path), doc, schema_file, file,
                                  record_id, sound))
    return findings


_TYPE_NAMES = {
    "string": "text", "integer": "a whole number", "number": "a number", "array": "a list",
    "object": "a mapping of fields", "boolean": "true or false", "null": "nothing (null)",
}


def _found(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {clip(value)}"
    return clip(str(value), 60)


def _expected_types(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_NAMES.get(name, name) for name in names)


def _suggest(word: str, choices: Any) -> str:
    options = [str(c) for c in choices]
    target = _SYNONYMS.get(word.lower())
    if target in options:
        return f"; did you mean '{target}'?"
    lowered = {option.lower(): option for option in options}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""


def _describe(err: ValidationError, path: FieldPath, doc: YamlDocument, schema_file: str,
              file: str, record_id: str | None, sound: bool = True) -> Iterator[Finding]:
    def at(where: FieldPath, message: str) -> Finding:
        line, column = doc.key_position(where) if where else (1, 1)
        name = format_path(where) or None
        prefix = f"field '{name}': " if name else ""
        return error("schema", prefix + message, Location(file, line, column), record_id, name)

    schema: dict[str, Any] = err.schema if isinstance(err.schema, dict) else {}
    value: Any = err.validator_value
    hint = schema.get("description")
    expected = f" (expected: {hint})" if hint else ""
    kind = err.validator

    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(err.instance, dict):
        known = (declared_properties(schema_file) if not path
                 else set(_properties_of(schema, schema_file, set())))
        for key in err.instance:
            if repr(key) not in err.message:
                continue
            if key in known and sound:
                yield at((*path, key), "is not allowed here: it belongs to another variant of "
                                       "this record (check resource_type)")
            elif key not in known:
                allowed = ", ".join(sorted(known)) if len(known) <= 12 else "see the schema"
                yield at((*path, key), f"unknown field{_suggest(key, known)} "
                                       f"(known fields: {allowed})")
        return
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        prop = schema.get("properties", {}).get(missing)
        what = prop.get("description") if isinstance(prop, dict) else None
        yield at(path, f"missing required field '{missing}'" + (f" ({what})" if what else ""))
        return
    if kind == "type":
        quote = (" (quote it to make it text)" if "string" in str(value)
                 and isinstance(err.instance, int | float) else "")
        yield at(path, f"expected {_expected_types(value)}, "
                       f"found {_found(err.instance)}{quote}")
        return
    if kind == "enum":
        options = value
        yield at(path, f"{_found(err.instance)} is not allowed; expected one of: "
                       f"{', '.join(map(str, options))}"
                 + (_suggest(err.instance, options) if isinstance(err.instance, str) else ""))
        return
    if kind == "const":
        yield at(path, f"expected {value!r}, found {_found(err.instance)}")
        return
    if kind == "format":
        reason = f": {err.cause}" if err.cause else ""
        yield at(path, f"{_found(err.instance)} is not a valid {value}{reason}"
                       f"{expected}")
        return
    if kind == "pattern":
        yield at(path, f"{_found(err.instance)} is not in the expected form"
                       f"{expected or f' (pattern {value})'}")
        return
    if kind == "anyOf" and _is_exclusive_required(value):
        names = " or ".join(f"'{sub['required'][0]}'" for sub in value)
        yield at(path, f"give at least one of {names}")
        return
    if kind == "oneOf" and _is_exclusive_required(value):
        names = " or ".join(f"'{sub['required'][0]}'" for sub in value)
        present = [sub["required"][0] for sub in value
                   if isinstance(err.instance, dict) and sub["required"][0] in err.instance]
        verb = "give only one of" if present else "give one of"
        yield at(path, f"{verb} {names}" + (f" (found {', '.join(present)})" if present else ""))
        return
    if kind in ("oneOf", "anyOf") and err.context:
        inner = best_match(err.context)
        yield from _describe(inner, tuple(inner.absolute_path), doc, schema_file, file,
                             record_id, sound)
        return
    if kind == "dependentRequired":
        yield at(path, err.message.replace("is a dependency of", "is required when giving"))
        return
    yield at(path, f"{err.message}{expected}")


def _is_exclusive_required(subschemas: Any) -> bool:
    return isinstance(subschemas, list) and all(
        isinstance(sub, dict) and list(sub) == ["required"] and len(sub["required"]) == 1
        for sub in subschemas)


def enum_values(name: str) -> list[str]:
    """The allowed values of a shared enumeration in ``defs.schema.json``."""
    return list(schema_documents()["defs.schema.json"]["$defs"][name]["enum"])
