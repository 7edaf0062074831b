"""Class labels agree everywhere they are written: ``class_labels`` in record.yaml, the shipped
labels.json, the ``class_names`` (or ``labels``) of a ``.safetensors`` file's metadata, the card's
Outputs section (a numbered list, a table, or the classes named inline in one paragraph), and
the class dimension of ``output_schema``; same number, same order. The first of record,
labels.json and safetensors metadata that is there is the reference; every other place that
disagrees with it is an error, so a swap anywhere is caught whichever places a package has."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from catalogue.check.card_file import card_location
from catalogue.check.portability import safetensors_files
from catalogue.load.artefacts import Resolver, local_file
from catalogue.load.safetensors_header import metadata_labels
from catalogue.model.card import Line
from catalogue.model.card_sections import MODEL_CARD_SECTIONS, find_section, section_text
from catalogue.model.findings import Finding, Location, error, warning
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import ArtefactError, Pointer, usable_pointers
from catalogue.model.records import Record

_NUMBERED = re.compile(r"^\s{0,3}(\d+)[.)]\s+(.*\S)\s*$")


def numbered_list(lines: list[Line]) -> list[Line]:
    """The first numbered list in ``lines``: (line, name) per item, the name being the first
    code span or bold text, or else the text before a dash, colon or bracket."""
    items: list[Line] = []
    for number, line in lines:
        match = _NUMBERED.match(line)
        if match:
            items.append((number, _item_name(match.group(2))))
        elif items and line.strip() and not line.startswith((" ", "\t")):
            break
    return items


def _item_name(text: str) -> str:
    for pattern in (r"`([^`]+)`", r"\*\*([^*]+)\*\*", r"__([^_]+)__"):
        match = re.match(r"\s*" + pattern, text)
        if match:
            return match.group(1).strip()
    return re.split(r"\s+[-\u2013\u2014]\s+|:\s|\s\(", text, maxsplit=1)[0].strip()



def parse_labels_json(value: Any) -> list[str] | None:
    """Class names in order from a labels.json: a list, an index-keyed mapping, or a mapping
    with ``labels``, ``class_names``, ``classes`` or ``id2label``."""
    if isinstance(value, dict):
        for key in ("labels", "class_names", "classes", "id2label"):
            if key in value:
                return parse_labels_json(value[key])
        if value and all(isinstance(k, str) and k.isdigit() for k in value):
            ordered = sorted(value.items(), key=lambda kv: int(kv[0]))
            if [int(k) for k, _ in ordered] == list(range(len(ordered))):
                return parse_labels_json([v for _, v in ordered])
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _labels_pointer(record: Record) -> Pointer | None:
    pointers = usable_pointers(record)
    return next((p for p in pointers if p.role == "labels" and p.suffix == ".json"),
                next((p for p in pointers if p.name.endswith("labels.json")), None))


def _read_labels_file(record: Record, resolver: Resolver) -> tuple[str, list[str] | None,
                                                                   str | None] | None:
    """(name, labels, problem) of the shipped labels.json, or None if there is none to read."""
    pointer = _labels_pointer(record)
    try:
        if pointer is not None:
            name, path = pointer.name, resolver.resolve(record.folder, pointer)
        elif (record.folder / "labels.json").is_file():
            name, path = "labels.json", local_file(record.folder, "labels.json")
        else:
            return None
    except ArtefactError:
        return None  # reported by the artefact check, or not available offline
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return name, None, f"{name} is not valid JSON: {exc}"
    labels = parse_labels_json(value)
    if labels is None:
        return name, None, (f"{name}: expected a list of class names in output order, e.g. "
                            '["setosa", "versicolor", "virginica"]')
    return name, labels, None


def _order_problem(mine: list[str], theirs: list[str], my_name: str, their_name: str) -> str | None:
    if len(mine) != len(theirs):
        return (f"{their_name} has {len(theirs)} class name(s) but {my_name} has {len(mine)}: "
                f"{theirs} against {mine}")
    for position, (a, b) in enumerate(zip(mine, theirs, strict=True), start=1):
        if a != b:
            how = "in another order" if sorted(mine) == sorted(theirs) else "differently"
            return (f"{their_name} names the classes {how}: class {position} is '{b}' there but "
                    f"'{a}' in {my_name} (expected {mine})")
    return None


def check_labels(record: Record, resolver: Resolver) -> Iterator[Finding]:
    """The number and order of class names agree across class_labels, labels.json, the
    safetensors metadata, the card's Outputs section, and the class dimension of
    output_schema."""
    if record.kind.name != "model" or record.status == DELETED:
        return
    declared = record.data.get("class_labels")
    record_labels = declared if isinstance(declared, list) and all(
        isinstance(v, str) for v in declared) else None
    class_field = record.location(("class_labels",)) if record_labels else record.location()
    sources: list[tuple[str, list[str], Location, str | None]] = []
    if record_labels is not None:
        sources.append(("class_labels in record.yaml", record_labels, class_field,
                        "class_labels"))
    shipped = _read_labels_file(record, resolver)
    if shipped is not None:
        name, labels, problem = shipped
        if problem is not None:
            yield error("labels", problem, class_field, record.id)
        elif labels is not None:
            sources.append((name, labels, class_field, "class_labels" if record_labels else None))
    for file in safetensors_files(record, resolver):
        found = metadata_labels(file.header.metadata) if file.header is not None else None
        if found is None:
            continue
        key, names = found
        where = record.location(file.pointer.field)
        if names is None:
            yield error("labels", f"{file.pointer.name}: metadata '{key}' is not a list of "
                        'class names; write it as a JSON list, e.g. ["setosa", "versicolor"]',
                        where, record.id)
        else:
            sources.append((f"the '{key}' metadata of {file.pointer.name}", names, where, None))
    if sources:
        reference_name, reference, _, _ = sources[0]
        for name, labels, location, field_name in sources[1:]:
            mismatch = _order_problem(reference, labels, reference_name, name)
            if mismatch:
                yield error("labels", mismatch, location, record.id, field_name)
        yield from _card_findings(record, reference, reference_name)
    if record_labels is not None:
        yield from _class_dimension(record, record_labels)


def _card_findings(record: Record, reference: list[str], reference_name: str
                   ) -> Iterator[Finding]:
    card = _card_section(record)
    if card is None:
        return
    heading, lines = card
    found = card_classes(lines, reference)
    if found is None:
        if record.data.get("model_type") == "classification":
            yield warning("labels", "the card's Outputs section does not name the classes; list "
                          f"them in output order ({', '.join(reference)}), e.g. as a numbered "
                          "list", card_location(record, heading), record.id)
        return
    line, form, names = found
    mismatch = _order_problem(reference, names, reference_name,
                              f"the card's '## Outputs' {form} (line {line})")
    if mismatch:
        yield error("labels", mismatch, card_location(record, line), record.id)


def card_classes(lines: list[Line], reference: list[str]) -> tuple[int, str, list[str]] | None:
    """(line, form, names in card order) of the first place in ``lines`` that lists the
    classes: a numbered list (every item), else a table column, a paragraph or a bullet list
    naming every class of ``reference`` (those, in the order they appear)."""
    items = numbered_list(lines)
    if items:
        return items[0][0], "list", [n for _, n in items]
    table = _table_classes(lines, reference)
    if table is not None:
        return table
    for block in _blocks(lines):
        found = _mentions(" ".join(line for _, line in block), reference)
        if found is not None:
            return block[0][0], "inline list", found
    return None


def _mentions(text: str, reference: list[str]) -> list[str] | None:
    """The classes of ``reference`` in the order ``text`` first names them, if it names all."""
    positions = []
    for name in reference:
        match = re.search(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", text, re.IGNORECASE)
        if match is None:
            return None
        positions.append((match.start(), name))
    return [name for _, name in sorted(positions)]


def _blocks(lines: list[Line]) -> Iterator[list[Line]]:
    """Paragraphs and lists: runs of non-blank lines outside code fences and tables."""
    block: list[Line] = []
    fenced = False
    for number, line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not line.strip() or line.lstrip().startswith("|"):
            if block:
                yield block
            block = []
        else:
            block.append((number, line))
    if block:
        yield block


def _table_classes(lines: list[Line], reference: list[str]) -> tuple[int, str, list[str]] | None:
    """The classes in the order of a table's rows, from the first column naming them all."""
    rows = [(n, [c.strip() for c in line.strip().strip("|").split("|")])
            for n, line in lines if line.lstrip().startswith("|")]
    rows = [(n, cells) for n, cells in rows
            if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c)]
    if len(rows) < 2:
        return None
    by_lower = {name.lower(): name for name in reference}
    for column in range(max(len(cells) for _, cells in rows)):
        present = [(n, _item_name(cells[column]).lower()) for n, cells in rows[1:]
                   if column < len(cells)]
        present = [(n, name) for n, name in present if name in by_lower]
        if {name for _, name in present} == set(by_lower):
            return present[0][0], "table", [by_lower[name] for _, name in present]
    return None


def _card_section(record: Record) -> tuple[int, list[Line]] | None:
    """The line of the card's Outputs heading and the lines under it."""
    card = record.card
    if card is None or not card.readable:
        return None
    outputs = next(s for s in MODEL_CARD_SECTIONS if s.heading == "Outputs")
    index = find_section(card.sections, outputs)
    if index is None:
        return None
    return card.sections[index].heading.line, section_text(card.sections, index)


def _class_dimension(record: Record, labels: list[str]) -> Iterator[Finding]:
    """A classifier's scores have one entry per class: some output of rank >= 2 must have a
    class axis (axis 1 or the last) of len(class_labels), when the sizes are written out."""
    if record.data.get("model_type") != "classification":
        return
    outputs = record.data.get("output_schema")
    if not isinstance(outputs, list):
        return
    shapes: list[tuple[Any, list[Any]]] = [
        (o.get("name"), o["shape"]) for o in outputs
        if isinstance(o, dict) and isinstance(o.get("shape"), list) and len(o["shape"]) >= 2]
    if not shapes:
        return
    if any(len(labels) in (shape[1], shape[-1]) for _, shape in shapes):
        return
    if all(isinstance(shape[1], str) and isinstance(shape[-1], str) for _, shape in shapes):
        return  # class axes not written out
    described = ", ".join(f"{n} {shape}" for n, shape in shapes)
    yield error("labels", f"field 'class_labels': {len(labels)} class name(s), but no output in "
                f"output_schema has {len(labels)} classes ({described})",
                record.location(("class_labels",)), record.id, "class_labels")
