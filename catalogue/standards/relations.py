"""How assets relate to each other, in DataCite's relation types, the same from both ends.

Every link between two assets comes from one reference field (a model's ``training_datasets``,
an experiment's ``produced_models``, ...). Each such field has a pair of relation types, one
for the record that holds the field and its inverse for the record it names, so a model that
``IsDerivedFrom`` a dataset is what the dataset ``IsSourceOf``. Two assets linked by several
fields (a dataset a model was trained and evaluated on) are related once, by the first pair in
``RELATION_TYPES``, on both sides; the one exception is obsolescence, which DataCite states
beside the version link (1.0.1 ``IsNewVersionOf`` 1.0.0 and ``Obsoletes`` it).
"""

from __future__ import annotations

from typing import NamedTuple

from catalogue.link.catalogue import Catalogue
from catalogue.model.records import Record

RELATION_TYPES: dict[str, tuple[str, str]] = {
    "next_versions": ("IsNewVersionOf", "IsPreviousVersionOf"),
    "replaces": ("IsObsoletedBy", "Obsoletes"),
    "fine_tuned_models": ("IsDerivedFrom", "IsSourceOf"),
    "fine_tuned_in": ("IsDerivedFrom", "IsSourceOf"),
    "trained_models": ("IsDerivedFrom", "IsSourceOf"),
    "produced_by": ("IsSourceOf", "IsDerivedFrom"),
    "used_in": ("References", "IsReferencedBy"),
    "evaluated_models": ("References", "IsReferencedBy"),
    "runs": ("IsCompiledBy", "Compiles"),
}
"""By the inverse name of the reference (``catalogue.model.kinds``), in order of precedence:
(relation of the record holding the field, relation of the record it names)."""
_RANK = {name: rank for rank, name in enumerate(RELATION_TYPES)}
_STATED_BESIDE = frozenset({"replaces"})
"""Relations stated in addition to the first one between two assets, not instead of it."""

INVERSE: dict[str, str] = {}
for _forward, _backward in RELATION_TYPES.values():
    INVERSE[_forward], INVERSE[_backward] = _backward, _forward


class Related(NamedTuple):
    record_id: str
    relation: str
    """DataCite relationType, seen from the record asked about."""


def related_assets(record: Record, catalogue: Catalogue) -> list[Related]:
    """Every asset ``record`` is linked to, once each, with the relation seen from it."""
    candidates: list[tuple[int, str, str]] = []
    for reference, _path, value in record.references():
        types = RELATION_TYPES.get(reference.inverse)
        if types is not None and isinstance(value, str) and value in catalogue.records:
            candidates.append((_RANK[reference.inverse], value, types[0]))
    for inverse, (_forward, backward) in RELATION_TYPES.items():
        candidates += [(_RANK[inverse], source, backward)
                       for source in catalogue.graph.related(record.id, inverse)
                       if _names(catalogue.records.get(source), inverse, record.id)]
    names = list(RELATION_TYPES)
    seen: dict[tuple[str, bool], str] = {}
    for rank, other, relation in sorted(candidates, key=lambda c: c[0]):
        key = (other, names[rank] in _STATED_BESIDE)
        if other != record.id and key not in seen:
            seen[key] = relation
    return [Related(other, relation) for (other, _beside), relation in seen.items()]


def _names(source: Record | None, inverse: str, target: str) -> bool:
    """Whether ``source`` really names ``target`` in a field with that inverse (the graph's
    lookup by relation name also finds outgoing fields of the same name)."""
    return source is not None and any(
        reference.inverse == inverse and value == target
        for reference, _path, value in source.references())
