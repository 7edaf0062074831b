"""The quality criteria: each has an id, the FAIR principle it serves and a weight
(``QUALITY_CHECKS``); which of them apply to a kind, and how a record of that kind is judged, is
the kind's entry in ``CRITERIA``. A new criterion is a new entry in ``QUALITY_CHECKS`` and in
the entries of the kinds it applies to; a new kind is a new entry in ``CRITERIA``."""


from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from catalogue.check.parity import PASSED, REPORT_FILE, onnx_pointers, read_report, stale_reasons
from catalogue.check.portability import is_pickle
from catalogue.check.rules import DATASET_DESCRIPTION_CHARS
from catalogue.derive.carbon_interop import card_emissions
from catalogue.derive.quality.lookup import Lookup
from catalogue.derive.quality.report import Verdict, failed, not_applicable, passed
from catalogue.model.card_sections import find_section
from catalogue.model.kinds import CARD_FILE, per_kind
from catalogue.model.licenses import check_spdx_expression
from catalogue.model.lifecycle import (
    DELETED,
    REASON_FIELD,
    REPLACEMENT_FIELD,
    RETIRED,
    STATUS_FIELD,
    has_replacement,
    missing_reason,
    missing_replacement,
)
from catalogue.model.pointers import is_loopback
from catalogue.model.records import Record

MODEL = "model"
MIN_DESCRIPTION_CHARS = 100
MIN_SUBJECTS = 2
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
    fix: str
    """How to pass, in general; a verdict may say it more precisely."""

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds it applies to: those whose entry in ``CRITERIA`` judges it."""
        return frozenset(kind for kind, judged in CRITERIA.items()
                         if judged is not None and self.id in judged)


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


def descriptive_fields(*names: str) -> Evaluate:
    """The criterion that the recommended fields ``names`` (beyond what the schema requires)
    are all given."""
    def check_descriptive_fields(record: Record, lookup: Lookup) -> Verdict:
        missing = _missing(record, names)
        if not missing:
            return passed("all of " + ", ".join(names))
        return failed("missing " + ", ".join(missing),
                      "add " + ", ".join(missing) + f" (see schemas/{record.kind.schema_file})")
    return check_descriptive_fields


def check_artefact_checksums(record: Record, lookup: Lookup) -> Verdict:
    if record.status == DELETED:
        return not_applicable("a deleted record lists no files")
    entries = [v for _, v in record.values_at(("artefacts", "*"))]
    if not entries:
        return failed("no artefacts: the record names none of the files it describes",
                      "list the files under artefacts, each with path or url, sha256, "
                      "size_bytes, media_type and role", "artefacts")
    usable = lookup.pointers(record)
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
    low, high = DATASET_DESCRIPTION_CHARS
    if low <= length <= high:
        return passed(f"description of {length} characters, within Google Dataset Search's "
                      f"{low}-{high}", "description")
    return failed(f"description of {length} characters; Google Dataset Search indexes "
                  f"{low}-{high}", f"write a description of {low} to {high} characters",
                  "description")


def check_stable_locations(record: Record, lookup: Lookup) -> Verdict:
    if record.status == DELETED:
        return not_applicable("a deleted record lists no files")
    pointers = lookup.pointers(record)
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
    card = record.card
    if card is not None and card.readable and any(
            s.heading.level >= 2 and "access" in s.heading.text.lower() for s in card.sections):
        return passed(f"{rights} access, explained in the card", "access_rights")
    return failed(f"{rights} access with no section of the card saying how to obtain it",
                  "add a '## Access' section to the card: who may use the files, and how to "
                  "request access", "access_rights")


def check_lifecycle(record: Record, lookup: Lookup) -> Verdict:
    status = record.status
    if status not in RETIRED:
        return not_applicable(f"{status} record")
    if missing_reason(record.data):
        return failed(f"{status} without a {REASON_FIELD}", f"say why in {REASON_FIELD}",
                      STATUS_FIELD)
    if missing_replacement(record.data):
        return failed(f"{status} without {REPLACEMENT_FIELD}: readers are not told what to use",
                      f"name the record that replaces it in {REPLACEMENT_FIELD}", STATUS_FIELD)
    return passed(f"{status}, with the reason" + (" and its replacement"
                                                  if has_replacement(record.data) else ""),
                  STATUS_FIELD)


def check_schema_valid(record: Record, lookup: Lookup) -> Verdict:
    errors = lookup.load_errors(record.id)
    if not errors:
        return passed(f"matches schemas/{record.kind.schema_file}; published as JSON-LD "
                      "(Schema.org)")
    first = errors[0]
    return failed(f"{len(errors)} error(s) against its schema, first: {first.message}",
                  f"fix what omh validate {record.id} reports")


def check_model_task(record: Record, lookup: Lookup) -> Verdict:
    task = _text(record.data.get("task"))
    if task:
        return passed(f"task '{task}' (Hugging Face pipeline tags)", "task")
    return failed("no task", "add task: a Hugging Face pipeline tag such as "
                  "image-classification or text-generation", "task")


def check_column_roles(record: Record, lookup: Lookup) -> Verdict:
    columns = record.mappings("columns")
    if not columns:
        return not_applicable("no columns described")
    return _every_item_has(columns, "role", "columns",
                           f"{len(columns)} column(s) with data type and role",
                           "column(s) without a role",
                           "give each column a role: feature, target, identifier or "
                           "metadata (Croissant and the site derive the target from it)")


def check_port_formats(record: Record, lookup: Lookup) -> Verdict:
    ports = record.mappings("inputs") + record.mappings("outputs")
    if not ports:
        return not_applicable("no inputs or outputs described")
    return _every_item_has(ports, "format", "inputs",
                           f"{len(ports)} input(s) and output(s), each with its format",
                           "input(s) or output(s) without a format",
                           "give each input and output its format (CSV, ONNX, a media type)")


def check_metric_types(record: Record, lookup: Lookup) -> Verdict:
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


def check_model_links(record: Record, lookup: Lookup) -> Verdict:
    data = record.data
    datasets = record.items("training_datasets")
    if datasets or data.get("base_model"):
        what = [f"{len(datasets)} training dataset(s)"] if datasets else []
        what += ["its base model"] if data.get("base_model") else []
        return passed("links " + " and ".join(what), "training_datasets")
    return failed("no training_datasets and no base_model",
                  "list the datasets it was trained on (datasets/<slug>), adding them to "
                  "the catalogue first if needed", "training_datasets")


def check_publications(record: Record, lookup: Lookup) -> Verdict:
    data = record.data
    publications = [p for p in record.mappings("related_publications")
                    if p.get("doi") or p.get("url")]
    if publications or data.get("parent_version"):
        return passed(f"{len(publications)} linked publication(s)"
                      + (" and its previous version" if data.get("parent_version") else ""),
                      "related_publications")
    return failed("no related publication with a DOI or URL",
                  "add related_publications: the paper or data descriptor, with its doi",
                  "related_publications")


def check_workflow_runs(record: Record, lookup: Lookup) -> Verdict:
    runs = lookup.relations.related(record.id, "runs")
    if runs:
        return passed(f"run by {len(runs)} experiment(s): " + ", ".join(runs[:3]))
    return failed("no experiment in the catalogue names it as its workflow",
                  f"add workflow: {record.id} to the experiments that ran it (omh new "
                  "experiment <slug> for a run not yet in the catalogue)")


def check_experiment_links(record: Record, lookup: Lookup) -> Verdict:
    data = record.data
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


def check_card(record: Record, lookup: Lookup) -> Verdict:
    card = record.card
    expected = record.kind.card.sections if record.kind.card else ()
    if card is None or not card.readable:
        problem = record.card.read_problem if record.card is not None else None
        return failed(problem or f"no {CARD_FILE}", f"write {record.id}/{CARD_FILE} with the "
                      "sections " + ", ".join(f"'## {s.heading}'" for s in expected))
    missing = []
    for section in expected:
        index = find_section(card.sections, section)
        if index is None or not card.section_content[index]:  # filler is empty
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
    if record.status == DELETED:
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


def check_run_usage(record: Record, lookup: Lookup) -> Verdict:
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


def check_training_carbon(record: Record, lookup: Lookup) -> Verdict:
    producers = lookup.producers(record.id)
    measured = [e for e in producers if (x := lookup.get(e)) is not None
                and x.mappings("resource_utilizations")]
    if measured:
        return passed("training usage recorded by " + ", ".join(measured))
    reported = card_emissions(record.card)
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


def check_producers(record: Record, lookup: Lookup) -> Verdict:
    producers = lookup.producers(record.id)
    if producers:
        return passed("produced by " + ", ".join(producers))
    return failed("no experiment in the catalogue lists it in produced_models",
                  "add the experiment that trained it (omh new experiment <slug>) with "
                  f"produced_models: [{record.id}]")


def check_data_source(record: Record, lookup: Lookup) -> Verdict:
    present = [n for n in ("source", "collection_method") if _text(record.data.get(n))]
    if present:
        return passed("states its " + " and ".join(present), present[0])
    return failed("no source and no collection_method",
                  "say where the data come from (source) and how they were collected "
                  "(collection_method)")


def check_code_location(record: Record, lookup: Lookup) -> Verdict:
    data = record.data
    repository, path = _text(data.get("code_repository_url")), _text(data.get("code_path"))
    if repository:
        return passed(f"code at {repository}" + (f", {path}" if path else ""),
                      "code_repository_url")
    if not path:
        return failed("no code_repository_url and no code_path",
                      "give the code's repository (code_repository_url) and where in it the "
                      "code is (code_path)", "code_path")
    root = record.folder.parent.parent.resolve()
    here = (root / path).resolve()
    if here.is_relative_to(root) and here.exists():
        return passed(f"code in this catalogue's repository: {path}", "code_path")
    return failed(f"code_path '{path}' is not in this catalogue's repository, and no "
                  "code_repository_url says where else it is",
                  "fix code_path (relative to the repository's root), or add "
                  "code_repository_url", "code_path")


def check_code_pinned(record: Record, lookup: Lookup) -> Verdict:
    """The code and its container can be fetched exactly as they ran: a commit or a release
    tag (or the catalogue's own commit, for code kept beside the records), and an image pinned
    by its digest rather than a tag that can be pushed again."""
    data = record.data
    environment = data.get("environment_specification")
    environment = environment if isinstance(environment, dict) else {}
    if environment.get("container_image") and not environment.get("container_digest"):
        return failed(f"container image {environment['container_image']} is named by a tag, "
                      "which can be pushed again", "add container_digest: the image's sha256 "
                      "digest (docker inspect --format '{{index .RepoDigests 0}}' IMAGE)",
                      "environment_specification")
    commit, tag = _text(data.get("code_commit_hash")), _text(data.get("code_release_tag"))
    pins = [f"commit {commit}"] if commit else []
    pins += [f"release {tag}"] if tag else []
    if not pins and not _text(data.get("code_repository_url")) and _text(data.get("code_path")):
        pins = ["kept in this catalogue's repository, versioned with the record"]
    if not pins:
        return failed("no code_commit_hash and no code_release_tag: the code can change under "
                      "the same record", "add code_commit_hash (git rev-parse HEAD) or "
                      "code_release_tag", "code_repository_url")
    if environment.get("container_digest"):
        pins.append("container pinned by digest")
    return passed("; ".join(pins), "code_commit_hash" if commit else None)


def check_experiment_code(record: Record, lookup: Lookup) -> Verdict:
    data = record.data
    missing = _missing(record, ("code_repository_url", "code_commit_hash"))
    if not missing:
        return passed(f"code at {data['code_repository_url']} commit {data['code_commit_hash']}",
                      "code_repository_url")
    return failed("missing " + " and ".join(missing),
                  "give the code that ran: code_repository_url and the code_commit_hash")


def check_model_format(record: Record, lookup: Lookup) -> Verdict:
    if record.status == DELETED:
        return not_applicable("a deleted record keeps no files")
    portable = [p.name for p in lookup.pointers(record)
                if p.role == "onnx" or p.suffix in PORTABLE_SUFFIXES]
    if portable:
        return passed("portable format: " + ", ".join(portable[:3]), "artefacts")
    pickled = [p.name for p in lookup.pointers(record) if is_pickle(p)]
    return failed("no ONNX or safetensors file" + (
        f" (only pickle-based {', '.join(pickled[:2])})" if pickled else ""),
        "add model.onnx (role onnx) or model.safetensors (role weights)", "artefacts")


def check_data_format(record: Record, lookup: Lookup) -> Verdict:
    fmt = record.data.get("format")
    if isinstance(fmt, str) and fmt != "other":
        return passed(f"format {fmt}", "format")
    return failed("format 'other'", "publish the data in a documented format (csv, "
                  "parquet, jsonl, netcdf, ...)", "format")


def check_environment(record: Record, lookup: Lookup) -> Verdict:
    data = record.data
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


QUALITY_CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck("persistent-identifier", "F1", "Persistent identifier (DOI, ARK or Handle)", 3,
                 "register a DOI (Zenodo, DataCite, your institution) and add "
                 "persistent_identifier: doi:10.xxxx/..."),
    QualityCheck("description", "F2", "Description of at least 100 characters", 2,
                 "write a fuller description"),
    QualityCheck("descriptive-fields", "F2", "Kind-specific descriptive fields", 3,
                 "add the recommended fields"),
    QualityCheck("artefact-checksums", "F3", "Files listed with sha256 and size", 2,
                 "list every file with its sha256 and size_bytes"),
    QualityCheck("keywords", "F4", "At least two subjects (keywords) for search", 1,
                 "add subjects"),
    QualityCheck("dataset-search", "F4", "Description indexable by Google Dataset Search", 1,
                 "write a description of {} to {} characters".format(*DATASET_DESCRIPTION_CHARS)),
    QualityCheck("stable-locations", "A1", "Files at stable, standard locations", 1,
                 "publish files in the folder, at https://, or at hf:// pinned to a commit"),
    QualityCheck("access-conditions", "A1.2", "Access conditions explained when not public", 1,
                 "explain in the card how to obtain access"),
    QualityCheck("lifecycle", "A2", "Deprecation or deletion explained", 1,
                 "give status_reason and replaced_by"),
    QualityCheck("schema-valid", "I1", "Valid against its JSON Schema", 2,
                 "fix what omh validate reports"),
    QualityCheck("vocabulary", "I2", "Terms from shared vocabularies", 1,
                 "use the catalogue's vocabularies"),
    QualityCheck("qualified-references", "I3", "Links to the data and models it relates to", 2,
                 "link the related records"),
    QualityCheck("creator-identifiers", "I3", "Creators with ORCID, organisation with ROR", 1,
                 "add orcid_id to the researchers and ror_id to the organisation"),
    QualityCheck("card", "R1", "Card covers every section", 3, "complete the card"),
    QualityCheck("evaluation", "R1", "Evaluated on a catalogued dataset", 2, "add evaluations"),
    QualityCheck("parity-evidence", "R1", "ONNX parity evidence (parity-report.json)", 3,
                 "run omh parity --write"),
    QualityCheck("carbon-reported", "R1", "Energy and carbon of training reported", 2,
                 "record the resource usage"),
    QualityCheck("license", "R1.1", "Clear SPDX licence", 2, "add an SPDX licence"),
    QualityCheck("provenance", "R1.2", "Provenance: where it comes from", 2,
                 "say how it was made"),
    QualityCheck("code-pinned", "R1.2", "Code pinned to a commit or release, image by digest",
                 2, "give code_commit_hash or code_release_tag, and container_digest"),
    QualityCheck("community-format", "R1.3", "Community formats and reproducible environment",
                 2, "use a community format"),
)
"""Every check, in F1 ... R1.3 order. A new check is a new entry."""

CHECKS_BY_ID = {check.id: check for check in QUALITY_CHECKS}

EVERY_ASSET: dict[str, Evaluate] = {
    "persistent-identifier": check_persistent_identifier,
    "description": check_description,
    "keywords": check_keywords,
    "stable-locations": check_stable_locations,
    "access-conditions": check_access_conditions,
    "lifecycle": check_lifecycle,
    "schema-valid": check_schema_valid,
    "creator-identifiers": check_creator_identifiers,
    "license": check_license,
}
"""The criteria every asset is judged by, the same way."""

CRITERIA: dict[str, Mapping[str, Evaluate] | None] = per_kind("quality criteria", {
    "model": {
        **EVERY_ASSET,
        "descriptive-fields": descriptive_fields(
            "architecture", "framework_version", "task", "input_schema", "output_schema",
            "intended_use", "out_of_scope_use", "limitations"),
        "artefact-checksums": check_artefact_checksums,
        "vocabulary": check_model_task,
        "qualified-references": check_model_links,
        "card": check_card,
        "evaluation": check_evaluation,
        "parity-evidence": check_parity_evidence,
        "carbon-reported": check_training_carbon,
        "provenance": check_producers,
        "community-format": check_model_format,
    },
    "dataset": {
        **EVERY_ASSET,
        "descriptive-fields": descriptive_fields("num_records", "columns", "collection_method",
                                                 "source"),
        "artefact-checksums": check_artefact_checksums,
        "dataset-search": check_dataset_search,
        "vocabulary": check_column_roles,
        "qualified-references": check_publications,
        "card": check_card,
        "provenance": check_data_source,
        "community-format": check_data_format,
    },
    "experiment": {
        **EVERY_ASSET,
        "descriptive-fields": descriptive_fields("start_time", "end_time", "hyperparameters",
                                                 "metrics", "datasets"),
        "vocabulary": check_metric_types,
        "qualified-references": check_experiment_links,
        "carbon-reported": check_run_usage,
        "provenance": check_experiment_code,
        "community-format": check_environment,
    },
    "workflow": {
        **EVERY_ASSET,
        "descriptive-fields": descriptive_fields("workflow_type", "environment_specification",
                                                 "inputs", "outputs"),
        "vocabulary": check_port_formats,
        "qualified-references": check_workflow_runs,
        "card": check_card,
        "provenance": check_code_location,
        "code-pinned": check_code_pinned,
        "community-format": check_environment,
    },
    "resource": None,
    "researcher": None,
    "organization": None,
})
"""Per kind, the criteria that apply and how each judges a record of the kind; ``None`` for
a kind that is not scored (not an asset)."""



def _refuse_unknown_criteria() -> None:
    for kind, judged in CRITERIA.items():
        unknown = [i for i in judged or () if i not in CHECKS_BY_ID]
        if unknown:
            raise KeyError(f"the quality criteria of '{kind}' name {', '.join(unknown)}, which "
                           "QUALITY_CHECKS does not declare")


_refuse_unknown_criteria()
