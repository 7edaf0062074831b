"""The record kinds: declared once, here.

A kind names its folder, its schema, how to title a record, the fields that refer to other
records (with the inverse relation derived on the target), and how the standards and tools
type it (schema.org, DataCite, CSL, RIS, BibTeX, its scaffold templates). Adding a kind is a
new entry in ``KINDS``; loading, linking, checking and publishing read this registry.

What is code rather than data (a JSON-LD mapping, quality criteria, a page) lives in a later
stage, which may not be imported here; each such stage keeps one table keyed by kind name,
built with ``per_kind``, which refuses at import time a table that lacks a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from catalogue.model.card_sections import (
    DATASET_CARD_SECTIONS,
    MODEL_CARD_SECTIONS,
    WORKFLOW_CARD_SECTIONS,
    Section,
)

WILDCARD = "*"
T = TypeVar("T")


class Reference(NamedTuple):
    """A field that holds record ids. ``path`` may contain ``*`` for every item of a list."""

    path: tuple[str, ...]
    target: str
    inverse: str
    """Name of the derived relation on the target, e.g. a dataset's ``trained_models``."""


class Citing(NamedTuple):
    """How registries and reference managers type an asset of the kind."""

    datacite: str
    """DataCite resourceTypeGeneral (Metadata Schema 4.6)."""
    csl: str
    """CSL item type."""
    ris: str
    """RIS reference type (``TY``)."""
    bibtex: str
    """BibTeX entry type (``misc``, or BibLaTeX's ``software``, ``dataset``)."""


class Scaffolding(NamedTuple):
    """What ``omh new KIND SLUG`` writes from ``catalogue/templates/``, and what it advises."""

    record: str
    """The commented record template."""
    next_step: str | None = None
    """What to do after filling the placeholders, beyond validating."""


class Card(NamedTuple):
    """The card (``README.md``) that records of the kind come with."""

    template: str
    """What ``omh new`` writes, from ``catalogue/templates/``."""
    sections: tuple[Section, ...]
    """What the card must cover (the quality score's ``card`` criterion)."""


class RecordKind(NamedTuple):
    name: str
    folder: str
    schema_file: str
    label: str
    plural_label: str
    references: tuple[Reference, ...]
    title: Callable[[Mapping[str, Any]], str]
    is_asset: bool
    """An asset (model, dataset, experiment, workflow) has a version, a licence, a citation and
    a quality score; people, organisations and resources do not."""
    schema_types: tuple[str, ...]
    """The JSON-LD ``@type`` of its records (compact IRIs of the catalogue's context)."""
    scaffolding: Scaffolding
    card: Card | None = None
    """The card its records come with, if any."""
    citing: Citing | None = None
    """How to cite it; assets only."""

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
        Reference(("funding", WILDCARD, "funder"), "organization", "funded"),
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
            _name, True, schema_types=("fair4ml:MLModel",),
            scaffolding=Scaffolding(
                "model.record.yaml",
                "put the model's files in the folder (or publish them at a URL), list each under "
                "artefacts with its sha256 (sha256sum FILE) and size (stat -c %s FILE), and "
                "describe the experiment that trained it (omh new experiment SLUG)"),
            card=Card("model.README.md", MODEL_CARD_SECTIONS),
            citing=Citing("Model", "software", "COMP", "misc"),
        ),
        RecordKind(
            "dataset", "datasets", "dataset.schema.json", "Dataset", "Datasets",
            _asset_references("dataset"), _name, True, schema_types=("sc:Dataset",),
            scaffolding=Scaffolding(
                "dataset.record.yaml",
                "put small data files in the folder, or publish large ones at a URL, and list "
                "each under artefacts with its sha256 and size"),
            card=Card("dataset.README.md", DATASET_CARD_SECTIONS),
            citing=Citing("Dataset", "dataset", "DATA", "misc"),
        ),
        RecordKind(
            "experiment", "experiments", "experiment.schema.json", "Experiment", "Experiments",
            (*_asset_references("experiment"),
             Reference(("workflow",), "workflow", "runs"),
             Reference(("datasets", WILDCARD, "dataset"), "dataset", "used_in"),
             Reference(("produced_models", WILDCARD), "model", "produced_by"),
             Reference(("base_model",), "model", "fine_tuned_in"),
             Reference(("resource_utilizations", WILDCARD, "resource"), "resource", "used_by")),
            _name, True, schema_types=("prov:Activity", "mls:Run", "Action"),
            scaffolding=Scaffolding(
                "experiment.record.yaml",
                "list the resources it ran on under resource_utilizations; the catalogue "
                "computes the energy and carbon from them"),
            citing=Citing("Workflow", "article", "GEN", "misc"),
        ),
        RecordKind(
            "workflow", "workflows", "workflow.schema.json", "Workflow", "Workflows",
            _asset_references("workflow"), _name, True,
            schema_types=("SoftwareSourceCode", "prov:Plan", "mls:Implementation"),
            scaffolding=Scaffolding(
                "workflow.record.yaml",
                "name it in the experiments that ran it (workflow: workflows/SLUG)"),
            card=Card("workflow.README.md", WORKFLOW_CARD_SECTIONS),
            citing=Citing("Software", "software", "COMP", "software"),
        ),
        RecordKind(
            "resource", "resources", "resource.schema.json", "Computational resource",
            "Computational resources",
            (Reference(("organization",), "organization", "resources"),
             Reference(("replaced_by",), "resource", "replaces")),
            _name, False, schema_types=("hpc:Hardware", "Product"),
            scaffolding=Scaffolding("resource.record.yaml"),
        ),
        RecordKind(
            "researcher", "researchers", "researcher.schema.json", "Researcher", "Researchers",
            (Reference(("affiliations", WILDCARD), "organization", "members"),
             Reference(("replaced_by",), "researcher", "replaces")),
            _person_name, False, schema_types=("Person",),
            scaffolding=Scaffolding("researcher.record.yaml"),
        ),
        RecordKind(
            "organization", "organizations", "organization.schema.json", "Organization",
            "Organizations",
            (Reference(("parent_organization",), "organization", "sub_organizations"),
             Reference(("replaced_by",), "organization", "replaces")),
            _name, False, schema_types=("Organization",),
            scaffolding=Scaffolding("organization.record.yaml"),
        ),
    )
}

KINDS_BY_FOLDER: dict[str, RecordKind] = {kind.folder: kind for kind in KINDS.values()}

RECORD_FILE = "record.yaml"
CARD_FILE = "README.md"
SETTINGS_FILE = "catalogue.yaml"


# -- per-kind tables of later stages ---------------------------------------------------------


class KindTableError(LookupError):
    """A per-kind table that does not have exactly one entry for every kind."""


TABLES: dict[str, dict[str, Any]] = {}
"""Every per-kind table built with ``per_kind`` against ``KINDS``, by what it holds."""


def per_kind(what: str, entries: Mapping[str, T],
             kinds: Mapping[str, RecordKind] = KINDS) -> dict[str, T]:
    """``entries`` as a table with one entry per kind, in registry order.

    Raises ``KindTableError`` naming the table (``what``) and the kinds it lacks or does not
    know, so that a kind added to ``KINDS`` without its entries fails when the stage is
    imported, not with a ``KeyError`` (or silently) halfway through a build. An entry may be
    ``None`` where the stage has nothing for that kind; it must still be there.
    """
    missing = [name for name in kinds if name not in entries]
    unknown = [name for name in entries if name not in kinds]
    if missing or unknown:
        problems = [f"no entry for the kind{'s' if len(missing) > 1 else ''} "
                    + ", ".join(f"'{m}'" for m in missing)] if missing else []
        problems += [f"an entry for {', '.join(repr(u) for u in unknown)}, which "
                     f"{'are not kinds' if len(unknown) > 1 else 'is not a kind'}"] \
            if unknown else []
        raise KindTableError(f"the per-kind table of {what} has " + " and ".join(problems)
                             + f"; every kind of catalogue/model/kinds.py ({', '.join(kinds)}) "
                             "needs exactly one entry (None where nothing applies)")
    table = {name: entries[name] for name in kinds}
    if kinds is KINDS:
        TABLES[what] = table
    return table
