"""Reference checks: every reference names an existing record of the right kind, version and
lineage chains do not loop, a new version says something new, and relations stated on both an
experiment and the models it produced agree."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from catalogue.load.store import RecordStore
from catalogue.model.dates import day_of
from catalogue.model.findings import Finding, error
from catalogue.model.ids import closest_id
from catalogue.model.kinds import KINDS, KINDS_BY_FOLDER
from catalogue.model.records import Record, field_name

# Relations that must never loop back on themselves.
ACYCLIC_FIELDS = ("parent_version", "base_model")
TRAINING_ROLES = frozenset({"training", "fine-tuning", "pretraining"})


def check_references(record: Record, store: RecordStore) -> Iterator[Finding]:
    """Every reference must name an existing record of the right kind."""
    for reference, path, value in record.references():
        name = field_name(path)
        target_kind = KINDS[reference.target]
        if not isinstance(value, str):
            continue  # the schema check already reports the wrong type
        folder = value.split("/", 1)[0]
        if folder != target_kind.folder:
            actual = KINDS_BY_FOLDER.get(folder)
            found = f"a {actual.name}" if actual else "no known kind"
            yield error("wrong-kind-reference",
                        f"field '{name}': '{value}' is {found}, but this field refers to a "
                        f"{target_kind.name} ({target_kind.folder}/<slug>)",
                        record.location(path), record.id, name)
        elif value == record.id:
            yield error("cycle", f"field '{name}': a record cannot refer to itself",
                        record.location(path), record.id, name)
        elif not store.exists(value):
            close = closest_id(value, store.ids(target_kind.name), cutoff=0.7)
            hint = f"; did you mean '{close}'?" if close else (
                f"; add {value}/record.yaml or fix the reference")
            yield error("unresolved-reference",
                        f"field '{name}': no {target_kind.name} '{value}' in the catalogue{hint}",
                        record.location(path), record.id, name)


def check_cycles(record: Record, store: RecordStore) -> Iterator[Finding]:
    """Follow ``parent_version`` and ``base_model`` chains; report a chain that loops."""
    for field_ in ACYCLIC_FIELDS:
        chain = [record.id]
        current: Record | None = record
        while current is not None:
            target = current.data.get(field_)
            if not isinstance(target, str) or target == current.id:
                break  # self-references are reported by check_references
            if target in chain:
                if target == record.id:
                    loop = " -> ".join([*chain, target])
                    yield error("cycle", f"field '{field_}': the chain loops: {loop}",
                                record.location((field_,)), record.id, field_)
                break
            chain.append(target)
            current = store.get(target)


def check_versions(record: Record, store: RecordStore) -> Iterator[Finding]:
    """A new version must say something new: another version string, not older than its parent."""
    parent_id = record.data.get("parent_version")
    parent = store.get(parent_id) if isinstance(parent_id, str) else None
    if parent is None or parent.kind is not record.kind:
        return
    version = record.data.get("version")
    if version is not None and version == parent.data.get("version"):
        yield error("version", f"field 'version': '{version}' is the same as its parent_version "
                    f"{parent.id}; give the new version its own version string",
                    record.location(("version",)), record.id, "version")
    mine, theirs = record.data.get("created_at"), parent.data.get("created_at")
    mine_day, their_day = day_of(mine), day_of(theirs)
    if mine_day and their_day and mine_day < their_day:
        yield error("version", f"field 'created_at': {mine} is before its parent_version "
                    f"{parent.id} was created ({theirs})", record.location(("created_at",)),
                    record.id, "created_at")


def check_experiment_agreement(experiment: Record, store: RecordStore) -> Iterator[Finding]:
    """Relations stated on both an experiment and the models it produced must agree."""
    if experiment.kind.name != "experiment":
        return
    base = experiment.data.get("base_model")
    trained_on = {
        usage.get("dataset") for usage in experiment.mappings("datasets")
        if isinstance(usage.get("role"), str) and usage["role"] in TRAINING_ROLES
    }
    for model_id in experiment.items("produced_models"):
        model = store.get(model_id) if isinstance(model_id, str) else None
        if model is None or model.kind.name != "model":
            continue
        model_base = model.data.get("base_model")
        if isinstance(base, str) and isinstance(model_base, str) and base != model_base:
            yield error("inconsistent-relation",
                        f"field 'base_model': {model.id} says it was fine-tuned from "
                        f"'{model_base}', but {experiment.id}, which produced it, started from "
                        f"'{base}'", model.location(("base_model",)), model.id, "base_model")
        stated = model.data.get("training_datasets")
        if isinstance(stated, list):
            for dataset_id in sorted(d for d in trained_on if isinstance(d, str)):
                if dataset_id not in stated:
                    yield error("inconsistent-relation",
                                f"field 'training_datasets': {experiment.id} trained {model.id} "
                                f"on '{dataset_id}', but the model's training_datasets does not "
                                f"list it; add it (or fix the experiment's dataset role)",
                                model.location(("training_datasets",)), model.id,
                                "training_datasets")


LINK_CHECKS = (check_references, check_cycles, check_versions, check_experiment_agreement)


def check_links(records: Iterable[Record], store: RecordStore) -> list[Finding]:
    findings: list[Finding] = []
    for record in records:
        for check in LINK_CHECKS:
            findings.extend(check(record, store))
    return findings


