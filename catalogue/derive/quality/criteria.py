"""The quality criteria: each has an id, the FAIR principle it serves, a weight, the kinds it
applies to, and a verdict per record. A new criterion is a new entry in ``QUALITY_CHECKS``."""


from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from catalogue.check.cards import (
    MODEL_CARD_SECTIONS,
    Section,
    find_section,
    is_pickle,
    parse_card,
    section_text,
)
from catalogue.check.parity import PASSED, REPORT_FILE, onnx_pointers, read_report, stale_reasons
from catalogue.derive.carbon_interop import read_card_emissions
from catalogue.derive.quality.lookup import Lookup
from catalogue.derive.quality.report import Verdict, failed, not_applicable, passed
from catalogue.model.kinds import CARD_FILE, KINDS
from catalogue.model.licenses import check_spdx_expression
from catalogue.model.pointers import is_loopback, usable_pointers
from catalogue.model.records import Record

MODEL, DATASET, EXPERIMENT = "model", "dataset", "experiment"
ASSETS = frozenset(name for name, kind in KINDS.items() if kind.is_asset)

# The sections a dataset card covers (the catalogue's dataset cards, and the Hugging Face
# dataset card template's headings for the same things).
DATASET_CARD_SECTIONS: tuple[Section, ...] = (
    Section("Summary", ("summary", "dataset summary", "dataset description", "description",
                        "overview", "dataset details", "about"),
            "what the data are, how many records, what they are for"),
    Section("Collection", ("collection", "data collection", "data collection and processing",
                           "collection process", "source data", "curation rationale",
                           "provenance", "how the data were collected", "methodology"),
            "how the data were collected and processed"),
    Section("Structure", ("structure", "dataset structure", "data structure", "data fields",
                          "data splits", "fields", "columns", "schema", "format"),
            "the files, fields, units and splits"),
    Section("Privacy and ethics", ("privacy and ethics", "privacy", "ethics",
                                   "ethical considerations", "personal and sensitive information",
                                   "considerations for using the data",
                                   "bias risks and limitations", "limitations"),
            "personal data, consent, biases and known limitations"),
    Section("License", ("license", "licence", "licensing", "licensing information",
                        "license and citation", "licence and citation"),
            "the licence of the data"),
    Section("Citation", ("citation", "citation information", "how to cite", "cite", "citing",
                         "bibtex", "references", "license and citation", "licence and citation"),
            "how to cite the data"),
)

# Recommended descriptive fields per kind (F2), beyond what the schema requires.
DESCRIPTIVE_FIELDS: dict[str, tuple[str, ...]] = {
    MODEL: ("architecture", "framework_version", "task", "input_schema", "output_schema",
            "intended_use", "out_of_scope_use", "limitations"),
    DATASET: ("num_records", "columns", "collection_method", "source"),
    EXPERIMENT: ("start_time", "end_time", "hyperparameters", "metrics", "datasets"),
}
MIN_DESCRIPTION_CHARS = 100
MIN_SUBJECTS = 2
DATASET_SEARCH_CHARS = (50, 5000)
PORTABLE_SUFFIXES = frozenset({".onnx", ".safetensors"})
RUN_STATES_WITHOUT_USAGE = frozenset({"pending", "cancelled"})
PINNED = re.compile(r"^[A-Za-z0-9_.\-\[\],]+\s*(===?)\s*\S+$")


# -- the checks ----------------------------------------------------------------------------


Evaluate = Callable[[Record, Lookup], Verdict]


@dataclass(frozen=True)
class QualityCheck:
    id: str
    principle: str
    title: str
    weight: int
    kinds: frozenset[str]
    fix: str
    """How to pass, in general; a verdict may say it more precisely."""
    evaluate: Evaluate = field(repr=False)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _missing(record: Record, names: Iterable[str]) -> list[str]:
    return [n for n in names if record.data.get(n) in (None, "", [], {})]


def check_persistent_identifier(record: Record, lookup: Lookup) -> Verdict:
    pid = _text(record.data.get("persistent_identifier"))
    if pid:
        return passed(f"persistent identifier {pid}", "persistent_identifier")
    return failed("no persistent_identifier: the record is found only by its catalogue path")


def check_description(record: Record, lookup: Lookup) -> Verdict:
    length = len(_text(record.data.get("description")))
    if length >= MIN_DESCRIPTION_CHARS:
        return passed(f"description of {length} characters", "description")
    return failed(f"description of {length} characters, under {MIN_DESCRIPTION_CHARS}",
                  f"say in the description what the {record.kind.name} is, what it is for and "
                  f"how it was made, in at least {MIN_DESCRIPTION_CHARS} characters",
                  "description")


def check_descriptive_fields(record: Record, lookup: Lookup) -> Verdict:
    names = DESCRIPTIVE_FIELDS[record.kind.name]
    missing = _missing(record, names)
    if not missing:
        return passed("all of " + ", ".join(names))
    return failed("missing " + ", ".join(missing),
                  "add " + ", ".join(missing) + f" (see schemas/{record.kind.schema_file})")


def check_artefact_checksums(record: Record, lookup: Lookup) -> Verdict:
    if record.status == "deleted":
        return not_applicable("a deleted record lists no files")
    entries = [v for _, v in record.values_at(("artefacts", "*"))]
    if not entries:
        return failed("no artefacts: the record names none of the files it describes",
                      "list the files under artefacts, each with path or url, sha256, "
                      "size_bytes, media_type and role", "artefacts")
    usable = usable_pointers(record)
    if len(usable) < len(entries):
        return failed(f"{len(entries) - len(usable)} of {len(entries)} artefact(s) lack a "
                      "usable sha256, size or location",
                      "give every artefact its sha256 (sha256sum FILE) and size_bytes",
                      "artefacts")
    return passed(f"{len(entries)} artefact(s), each with sha256 and size", "artefacts")


def check_keywords(record: Record, lookup: Lookup) -> Verdict:
    subjects = [s for s in record.items("subjects") if isinstance(s, str)]
    if len(subjects) >= MIN_SUBJECTS:
        return passed(f"{len(subjects)} subjects", "subjects")
    return failed(f"{len(subjects)} subject(s); search and the site's facets use them",
                  f"list at least {MIN_SUBJECTS} subjects (keywords: domain, task, data type)",
                  "subjects")


def check_dataset_search(record: Record, lookup: Lookup) -> Verdict:
    length = len(_text(record.data.get("description")))
    low, high = DATASET_SEARCH_CHARS
    if low <= length <= high:
        return passed(f"description of {length} characters, within Google Dataset Search's "
                      f"{low}-{high}", "description")
    return failed(f"description of {length} characters; Google Dataset Search indexes "
                  f"{low}-{high}", f"write a description of {low} to {high} characters",
                  "description")


def check_stable_locations(record: Record, lookup: Lookup) -> Verdict:
    if record.status == "deleted":
        return not_applicable("a deleted record lists no files")
    pointers = usable_pointers(record)
    if not pointers:
        return not_applicable("no artefacts")
    moving = [p.target for p in pointers if p.hf is not None and not p.hf.pinned_to_commit]
    local_http = [p.target for p in pointers if p.scheme == "http"
                  and is_loopback(_host(p.target))]
    if moving:
        return failed(f"{len(moving)} Hub file(s) at a branch or tag that can move: "
                      + ", ".join(moving[:3]),
                      "pin each hf:// URL to the commit hash its checksum was taken from",
                      "artefacts")
    if local_http:
        return failed("artefacts served from this machine only: " + ", ".join(local_http[:3]),
                      "publish the files at an https:// URL or in the record's folder",
                      "artefacts")
    return passed(f"{len(pointers)} artefact(s) in the repository or at https:// or pinned "
                  "hf:// locations", "artefacts")


def _host(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def check_access_conditions(record: Record, lookup: Lookup) -> Verdict:
    rights = record.data.get("access_rights")
    if rights in (None, "public"):
        return not_applicable("public access")
    if rights == "embargoed":
        if record.data.get("embargo_until"):
            return passed(f"embargoed until {record.data['embargo_until']}", "embargo_until")
        return failed("embargoed with no end date", "add embargo_until", "access_rights")
    sections = _card_sections(record)
    if sections is not None and any(s.heading.level >= 2 and "access" in s.heading.text.lower()
                                    for s in sections):
        return passed(f"{rights} access, explained in the card", "access_rights")
    return failed(f"{rights} access with no section of the card saying how to obtain it",
                  "add a '## Access' section to the card: who may use the files, and how to "
                  "request access", "access_rights")


def check_lifecycle(record: Record, lookup: Lookup) -> Verdict:
    status = record.status
    if status == "active":
        return not_applicable("active record")
    if not _text(record.data.get("status_reason")):
        return failed(f"{status} without a status_reason", "say why in status_reason",
                      "status")
    if status == "deprecated" and not record.data.get("replaced_by"):
        return failed("deprecated without replaced_by: readers are not told what to use",
                      "name the record that replaces it in replaced_by", "status")
    return passed(f"{status}, with the reason" + (" and its replacement"
                                                  if record.data.get("replaced_by") else ""),
                  "status")


def check_schema_valid(record: Record, lookup: Lookup) -> Verdict:
    errors = lookup.load_errors(record.id)
    if not errors:
        return passed(f"matches schemas/{record.kind.schema_file}; published as JSON-LD "
                      "(Schema.org)")
    first = errors[0]
    return failed(f"{len(errors)} error(s) against its schema, first: {first.message}",
                  f"fix what omh validate {record.id} reports")


def check_vocabulary(record: Record, lookup: Lookup) -> Verdict:
    kind = record.kind.name
    if kind == MODEL:
        task = _text(record.data.get("task"))
        if task:
            return passed(f"task '{task}' (Hugging Face pipeline tags)", "task")
        return failed("no task", "add task: a Hugging Face pipeline tag such as "
                      "image-classification or text-generation", "task")
    if kind == DATASET:
        columns = record.mappings("columns")
        if not columns:
            return not_applicable("no columns described")
        return _every_item_has(columns, "role", "columns",
                               f"{len(columns)} column(s) with data type and role",
                               "column(s) without a role",
                               "give each column a role: feature, target, identifier or "
                               "metadata (Croissant and the site derive the target from it)")
    metrics = record.mappings("metrics")
    if not metrics:
        return not_applicable("no metrics")
    return _every_item_has(metrics, "metric_type", "metrics",
                           f"{len(metrics)} metric(s) with a metric_type",
                           "metric(s) without metric_type",
                           "give each metric a metric_type (loss, accuracy, f1, ...)")


def _every_item_has(items: list[dict[str, Any]], key: str, field: str, ok: str, missing: str,
                    fix: str) -> Verdict:
    """Pass when every item of the list ``field`` names ``key``; else name the first few."""
    lacking = [str(item.get("name")) for item in items if key not in item]
    if not lacking:
        return passed(ok, field)
    return failed(f"{missing}: " + ", ".join(lacking[:5]), fix, field)


def check_qualified_references(record: Record, lookup: Lookup) -> Verdict:
    kind, data = record.kind.name, record.data
    if kind == MODEL:
        datasets = record.items("training_datasets")
        if datasets or data.get("base_model"):
            what = [f"{len(datasets)} training dataset(s)"] if datasets else []
            what += ["its base model"] if data.get("base_model") else []
            return passed("links " + " and ".join(what), "training_datasets")
        return failed("no training_datasets and no base_model",
                      "list the datasets it was trained on (datasets/<slug>), adding them to "
                      "the catalogue first if needed", "training_datasets")
    if kind == DATASET:
        publications = [p for p in record.mappings("related_publications")
                        if p.get("doi") or p.get("url")]
        if publications or data.get("parent_version"):
            return passed(f"{len(publications)} linked publication(s)"
                          + (" and its previous version" if data.get("parent_version") else ""),
                          "related_publications")
        return failed("no related publication with a DOI or URL",
                      "add related_publications: the paper or data descriptor, with its doi",
                      "related_publications")
    usages = record.mappings("datasets")
    produces = record.items("produced_models")
    training = data.get("experiment_type") in ("training", "fine-tuning")
    if usages and (produces or not training):
        return passed(f"{len(usages)} dataset usage(s) with role"
                      + (f", {len(produces)} produced model(s)" if produces else ""), "datasets")
    missing = ([] if usages else ["datasets (with role and split)"]) + (
        ["produced_models"] if training and not produces else [])
    return failed("missing " + " and ".join(missing), "add " + " and ".join(missing))


def check_creator_identifiers(record: Record, lookup: Lookup) -> Verdict:
    people = [p for p in record.items("created_by") if isinstance(p, str)]
    without = [p for p in people if (r := lookup.get(p)) is None or not r.data.get("orcid_id")]
    organization = lookup.get(record.data.get("organization"))
    no_ror = organization is not None and not organization.data.get("ror_id")
    if not without and not no_ror:
        return passed("creators with ORCID iDs" + (", organisation with a ROR id"
                                                   if organization else ""), "created_by")
    missing = [f"orcid_id for {', '.join(without)}"] if without else []
    missing += [f"ror_id for {organization.id}"] if no_ror and organization else []
    return failed("missing " + "; ".join(missing), "add " + "; ".join(missing), "created_by")


def _card_sections(record: Record) -> list[Any] | None:
    try:
        return parse_card(record.card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def check_card(record: Record, lookup: Lookup) -> Verdict:
    sections = _card_sections(record)
    expected = MODEL_CARD_SECTIONS if record.kind.name == MODEL else DATASET_CARD_SECTIONS
    if sections is None:
        return failed(f"no {CARD_FILE}", f"write {record.id}/{CARD_FILE} with the sections "
                      + ", ".join(f"'## {s.heading}'" for s in expected))
    missing = []
    for section in expected:
        index = find_section(sections, section)
        if index is None or not any(t.strip() for _, t in section_text(sections, index)):
            missing.append(section.heading)
    if not missing:
        return passed(f"{CARD_FILE} covers all {len(expected)} sections")
    return failed(f"{CARD_FILE} lacks or leaves empty: " + ", ".join(missing),
                  "add " + "; ".join(f"'## {s.heading}' ({s.covers})" for s in expected
                                     if s.heading in missing))


def check_evaluation(record: Record, lookup: Lookup) -> Verdict:
    evaluations = record.mappings("evaluations")
    linked = [e for e in evaluations if e.get("dataset")]
    if linked:
        return passed(f"{len(evaluations)} evaluation(s), {len(linked)} on a catalogued dataset",
                      "evaluations")
    if evaluations:
        return failed("evaluations name no dataset", "give each evaluation the dataset "
                      "(datasets/<slug>) and split it was measured on", "evaluations")
    return failed("no evaluations", "add evaluations: metric, value, dataset and split of "
                  "the held-out test", "evaluations")


def check_parity_evidence(record: Record, lookup: Lookup) -> Verdict:
    if record.status == "deleted":
        return not_applicable("a deleted record keeps no files")
    if not onnx_pointers(record):
        return failed("no ONNX artefact, so no parity evidence",
                      "export the model to ONNX, add samples with reference outputs and run "
                      f"omh parity --write {record.id}", "artefacts")
    report, problem = read_report(record)
    command = f"omh parity --fetch --write {record.id}"
    if problem is not None:
        return failed(problem, f"regenerate it: {command}")
    if report is None:
        return failed(f"no {REPORT_FILE}", f"run {command} and commit {REPORT_FILE}",
                      "artefacts")
    stale = stale_reasons(record, report)
    if stale:
        return failed(f"{REPORT_FILE} is stale: {stale[0]}", f"regenerate it: {command}")
    if report.get("status") != PASSED:
        return failed(f"{REPORT_FILE} records a failed check",
                      f"fix the package, then {command}")
    return passed(f"{REPORT_FILE}: onnxruntime matches the reference outputs "
                  f"({report.get('date', 'undated')})")


def check_carbon_reported(record: Record, lookup: Lookup) -> Verdict:
    if record.kind.name == EXPERIMENT:
        if record.data.get("experiment_status") in RUN_STATES_WITHOUT_USAGE:
            return not_applicable("the run has not happened")
        runs = record.mappings("resource_utilizations")
        if runs:
            return passed(f"{len(runs)} resource utilisation(s): energy and carbon computed",
                          "resource_utilizations")
        return failed("no resource_utilizations: energy and carbon unknown",
                      "add resource_utilizations: the resource (resources/<slug>), "
                      "duration_seconds and, if measured, energy_consumption_kwh",
                      "resource_utilizations")
    producers = lookup.producers(record.id)
    measured = [e for e in producers if (x := lookup.get(e)) is not None
                and x.mappings("resource_utilizations")]
    if measured:
        return passed("training usage recorded by " + ", ".join(measured))
    reported = read_card_emissions(record.card_path)
    if reported is not None and reported.reported is not None:
        return passed(f"the card reports {reported.reported.kg:g} kg CO2e (co2_eq_emissions)")
    return failed("no experiment with resource usage produced it, and the card reports no "
                  "co2_eq_emissions",
                  "add the training experiment with its resource_utilizations (omh new "
                  "experiment <slug>), or co2_eq_emissions in grams in the card's front matter")


def check_license(record: Record, lookup: Lookup) -> Verdict:
    expression = _text(record.data.get("license"))
    if not expression:
        return failed("no licence", "add license: an SPDX id such as CC-BY-4.0 or Apache-2.0",
                      "license")
    if expression.upper() in ("NOASSERTION", "NONE") or expression.startswith("LicenseRef-"):
        return failed(f"licence '{expression}' does not tell a reader what they may do",
                      "use an SPDX licence from https://spdx.org/licenses/", "license")
    problem = check_spdx_expression(expression)
    if problem:
        return failed(f"licence '{expression}': {problem}", None, "license")
    return passed(f"SPDX licence {expression}", "license")


def check_provenance(record: Record, lookup: Lookup) -> Verdict:
    kind, data = record.kind.name, record.data
    if kind == MODEL:
        producers = lookup.producers(record.id)
        if producers:
            return passed("produced by " + ", ".join(producers))
        return failed("no experiment in the catalogue lists it in produced_models",
                      "add the experiment that trained it (omh new experiment <slug>) with "
                      f"produced_models: [{record.id}]")
    if kind == DATASET:
        present = [n for n in ("source", "collection_method") if _text(data.get(n))]
        if present:
            return passed("states its " + " and ".join(present), present[0])
        return failed("no source and no collection_method",
                      "say where the data come from (source) and how they were collected "
                      "(collection_method)")
    missing = _missing(record, ("code_repository_url", "code_commit_hash"))
    if not missing:
        return passed(f"code at {data['code_repository_url']} commit {data['code_commit_hash']}",
                      "code_repository_url")
    return failed("missing " + " and ".join(missing),
                  "give the code that ran: code_repository_url and the code_commit_hash")


def check_community_format(record: Record, lookup: Lookup) -> Verdict:
    kind, data = record.kind.name, record.data
    if kind == MODEL:
        if record.status == "deleted":
            return not_applicable("a deleted record keeps no files")
        portable = [p.name for p in usable_pointers(record)
                    if p.role == "onnx" or p.suffix in PORTABLE_SUFFIXES]
        if portable:
            return passed("portable format: " + ", ".join(portable[:3]), "artefacts")
        pickled = [p.name for p in usable_pointers(record) if is_pickle(p)]
        return failed("no ONNX or safetensors file" + (
            f" (only pickle-based {', '.join(pickled[:2])})" if pickled else ""),
            "add model.onnx (role onnx) or model.safetensors (role weights)", "artefacts")
    if kind == DATASET:
        fmt = data.get("format")
        if isinstance(fmt, str) and fmt != "other":
            return passed(f"format {fmt}", "format")
        return failed("format 'other'", "publish the data in a documented format (csv, "
                      "parquet, jsonl, netcdf, ...)", "format")
    environment = data.get("environment_specification")
    environment = environment if isinstance(environment, dict) else {}
    packages = [p for p in environment.get("packages", []) if isinstance(p, str)]
    if environment.get("file") or environment.get("container_image"):
        return passed("environment file or container image given", "environment_specification")
    if packages and environment.get("python_version") and all(PINNED.match(p) for p in packages):
        return passed(f"Python {environment['python_version']} and {len(packages)} pinned "
                      "package(s)", "environment_specification")
    unpinned = [p for p in packages if not PINNED.match(p)]
    if unpinned:
        return failed("unpinned package(s): " + ", ".join(unpinned[:3]),
                      "pin every package (name==version)", "environment_specification")
    return failed("no reproducible environment", "add environment_specification: "
                  "python_version and pinned packages (name==version), an environment file, or "
                  "a container image", "environment_specification")


ALL_ASSETS = ASSETS
MODELS_AND_DATASETS = frozenset({MODEL, DATASET})

QUALITY_CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck("persistent-identifier", "F1", "Persistent identifier (DOI, ARK or Handle)", 3,
                 ALL_ASSETS, "register a DOI (Zenodo, DataCite, your institution) and add "
                 "persistent_identifier: doi:10.xxxx/...", check_persistent_identifier),
    QualityCheck("description", "F2", "Description of at least 100 characters", 2, ALL_ASSETS,
                 "write a fuller description", check_description),
    QualityCheck("descriptive-fields", "F2", "Kind-specific descriptive fields", 3, ALL_ASSETS,
                 "add the recommended fields", check_descriptive_fields),
    QualityCheck("artefact-checksums", "F3", "Files listed with sha256 and size", 2,
                 MODELS_AND_DATASETS, "list every file with its sha256 and size_bytes",
                 check_artefact_checksums),
    QualityCheck("keywords", "F4", "At least two subjects (keywords) for search", 1, ALL_ASSETS,
                 "add subjects", check_keywords),
    QualityCheck("dataset-search", "F4", "Description indexable by Google Dataset Search", 1,
                 frozenset({DATASET}), "write a description of 50 to 5000 characters",
                 check_dataset_search),
    QualityCheck("stable-locations", "A1", "Files at stable, standard locations", 1, ALL_ASSETS,
                 "publish files in the folder, at https://, or at hf:// pinned to a commit",
                 check_stable_locations),
    QualityCheck("access-conditions", "A1.2", "Access conditions explained when not public", 1,
                 ALL_ASSETS, "explain in the card how to obtain access",
                 check_access_conditions),
    QualityCheck("lifecycle", "A2", "Deprecation or deletion explained", 1, ALL_ASSETS,
                 "give status_reason and replaced_by", check_lifecycle),
    QualityCheck("schema-valid", "I1", "Valid against its JSON Schema", 2, ALL_ASSETS,
                 "fix what omh validate reports", check_schema_valid),
    QualityCheck("vocabulary", "I2", "Terms from shared vocabularies", 1, ALL_ASSETS,
                 "use the catalogue's vocabularies", check_vocabulary),
    QualityCheck("qualified-references", "I3", "Links to the data and models it relates to", 2,
                 ALL_ASSETS, "link the related records", check_qualified_references),
    QualityCheck("creator-identifiers", "I3", "Creators with ORCID, organisation with ROR", 1,
                 ALL_ASSETS, "add orcid_id to the researchers and ror_id to the organisation",
                 check_creator_identifiers),
    QualityCheck("card", "R1", "Card covers every section", 3, MODELS_AND_DATASETS,
                 "complete the card", check_card),
    QualityCheck("evaluation", "R1", "Evaluated on a catalogued dataset", 2, frozenset({MODEL}),
                 "add evaluations", check_evaluation),
    QualityCheck("parity-evidence", "R1", "ONNX parity evidence (parity-report.json)", 3,
                 frozenset({MODEL}), "run omh parity --write", check_parity_evidence),
    QualityCheck("carbon-reported", "R1", "Energy and carbon of training reported", 2,
                 frozenset({MODEL, EXPERIMENT}), "record the resource usage",
                 check_carbon_reported),
    QualityCheck("license", "R1.1", "Clear SPDX licence", 2, ALL_ASSETS,
                 "add an SPDX licence", check_license),
    QualityCheck("provenance", "R1.2", "Provenance: where it comes from", 2, ALL_ASSETS,
                 "say how it was made", check_provenance),
    QualityCheck("community-format", "R1.3", "Community formats and reproducible environment",
                 2, ALL_ASSETS, "use a community format", check_community_format),
)
"""Every check, in F1 ... R1.3 order. A new check is a new entry."""

CHECKS_BY_ID = {check.id: check for check in QUALITY_CHECKS}
