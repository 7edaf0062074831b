"""JSON-LD documents as RDF: one N-Quads dump of many documents that is one graph.

Each document is converted on its own, offline (every context is inline), against its own base
(the record's page, also its ``@base``), and its blank nodes are renamed after the document, so
that two records' ``_:b0`` never become one node: the dump is the union of the documents'
graphs. Labels are stable, so two dumps of the same catalogue are the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from pyld import jsonld

JsonLd = dict[str, Any]
_UNSAFE_LABEL = re.compile(r"[^A-Za-z0-9_-]")


def _no_remote_documents(url: str, options: dict[str, Any] | None = None) -> Any:
    raise jsonld.JsonLdError(f"refusing to fetch {url}: every context is inline",
                             "jsonld.LoadDocumentError", code="loading document failed")


def expand(document: JsonLd, base: str | None = None) -> list[Any]:
    options: dict[str, Any] = {"documentLoader": _no_remote_documents}
    if base:
        options["base"] = base
    result: list[Any] = jsonld.expand(document, options)
    return result


def blank_node_prefix(document_id: str) -> str:
    """The blank-node label prefix of a document: its id, reduced to the characters N-Quads
    labels allow (different ids give different prefixes: ``/`` and ``.`` become ``_``, which
    record ids never contain)."""
    return _UNSAFE_LABEL.sub("_", document_id.split("://", 1)[-1]).strip("_") or "doc"


def to_dataset(document: JsonLd, base: str, prefix: str) -> dict[str, list[dict[str, Any]]]:
    """The document's RDF dataset (pyld's form), its blank nodes labelled ``_:<prefix>_bN``."""
    dataset: dict[str, list[dict[str, Any]]] = jsonld.to_rdf(
        document, {"base": base, "documentLoader": _no_remote_documents})
    for triples in dataset.values():
        for triple in triples:
            for position in ("subject", "predicate", "object"):
                term = triple[position]
                if term.get("type") == "blank node":
                    term["value"] = f"_:{prefix}_{term['value'][2:]}"
    return dataset


def nquads_lines(document: JsonLd, base: str) -> list[str]:
    """One document's N-Quads lines, sorted, without duplicates (its part of a dump)."""
    prefix = blank_node_prefix(str(document.get("@id") or base))
    text = jsonld.JsonLdProcessor.to_nquads(to_dataset(document, base, prefix))
    return sorted({line for line in text.splitlines() if line})


Convert = Callable[[JsonLd, str], list[str]]
"""How a document becomes its N-Quads lines: ``nquads_lines``, or one that remembers them."""


def nquads_lines_in_slices(document: JsonLd, base: str, key: str, size: int = 200,
                           convert: Convert = nquads_lines) -> list[str]:
    """``nquads_lines`` of a document one of whose properties, ``key``, lists many nodes, each
    with its own ``@id``: converted ``size`` of them at a time. pyld compares each value it adds
    to a subject with those already there, so one long list costs its length squared; the rest
    of the document is the same in every slice, blank nodes included, so the slices' lines are
    the document's lines (and ``convert`` may remember each slice's)."""
    values = document.get(key)
    if not isinstance(values, list) or len(values) <= size:
        return convert(document, base)
    if not all(isinstance(v, dict) and "@id" in v for v in values):
        raise ValueError(f"every value of '{key}' needs an @id to be converted in slices")
    lines: set[str] = set()
    for start in range(0, len(values), size):
        lines.update(convert({**document, key: values[start:start + size]}, base))
    return sorted(lines)


def merge_nquads(parts: Iterable[Iterable[str]]) -> str:
    """One N-Quads dump of documents' lines (``nquads_lines``), sorted, without duplicates."""
    lines: set[str] = set()
    for part in parts:
        lines.update(part)
    return "".join(line + "\n" for line in sorted(lines))


def to_nquads(documents: Iterable[tuple[JsonLd, str]]) -> str:
    """One N-Quads dump of ``(document, base)`` pairs, sorted, without duplicates."""
    return merge_nquads(nquads_lines(document, base) for document, base in documents)
