"""The record kinds: declared once, here.

A kind names its folder, its schema, how to title a record, and the fields that refer to other
records (with the inverse relation derived on the target). Adding a seventh kind is a new entry
in ``KINDS``; loading, linking, checking and publishing read this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

WILDCARD = "*"


class Reference(NamedTuple):
    """A field that holds record ids. ``path`` may contain ``*`` for every item of a list."""

    path: tuple[str, ...]
    target: str
    inverse: str
    """Name of the derived relation on the target, e.g. a dataset's ``trained_models``."""


class RecordKind(NamedTuple):
    name: str
    folder: str
    schema_file: str
    label: str
    plural_label: str
    references: tuple[Reference, ...]
    title: Callable[[Mapping[str, Any]], str]
    is_asset: bool

    def record_id(self, slug: str) -> str:
        return f"{self.folder}/{slug}"


def _name(data: Mapping[str, Any]) -> str:
    return str(data.get("name") or "")


def _person_name(data: Mapping[str, Any]) -> str:
    return " ".join(str(data[k]) for k in ("first_name", "last_name") if data.get(k))


def _asset_references(kind: str) -> tuple[Reference, ...]:
    return (
        Reference(("created_by", WILDCARD), "researcher", "created"),
        Reference(("organization",), "organization", "published"),
        Reference(("parent_version",), kind, "next_versions"),
        Reference(("replaced_by",), kind, "replaces"),
    )


KINDS: dict[str, RecordKind] = {
    kind.name: kind
    for kind in (
        RecordKind(
            "model", "models", "model.schema.json", "Model", "Models",
            (*_asset_references("model"),
             Reference(("training_datasets", WILDCARD), "dataset", "trained_models"),
             Reference(("base_model",), "model", "fine_tuned_models"),
             Reference(("evaluations", WILDCARD, "dataset"), "dataset", "evaluated_models")),
            _name, True,
        ),
        RecordKind(
            "dataset", "datasets", "dataset.schema.json", "Dataset", "Datasets",
            _asset_references("dataset"), _name, True,
        ),
        RecordKind(
            "experiment", "experiments", "experiment.schema.json", "Experiment", "Experiments",
            (*_asset_references("experiment"),
             Reference(("datasets", WILDCARD, "dataset"), "dataset", "used_in"),
             Reference(("produced_models", WILDCARD), "model", "produced_by"),
             Reference(("base_model",), "model", "fine_tuned_in"),
             Reference(("resource_utilizations", WILDCARD, "resource"), "resource", "used_by")),
            _name, True,
        ),
        RecordKind(
            "resource", "resources", "resource.schema.json", "Computational resource",
            "Computational resources",
            (Reference(("organization",), "organization", "resources"),
             Reference(("replaced_by",), "resource", "replaces")),
            _name, False,
        ),
        RecordKind(
            "researcher", "researchers", "researcher.schema.json", "Researcher", "Researchers",
            (Reference(("affiliations", WILDCARD), "organization", "members"),
             Reference(("replaced_by",), "researcher", "replaces")),
            _person_name, False,
        ),
        RecordKind(
            "organization", "organizations", "organization.schema.json", "Organization",
            "Organizations",
            (Reference(("parent_organization",), "organization", "sub_organizations"),
             Reference(("replaced_by",), "organization", "replaces")),
            _name, False,
        ),
    )
}

KINDS_BY_FOLDER: dict[str, RecordKind] = {kind.folder: kind for kind in KINDS.values()}

RECORD_FILE = "record.yaml"
CARD_FILE = "README.md"
SETTINGS_FILE = "catalogue.yaml"
