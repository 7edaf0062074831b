"""Quality (FAIR) score: a transparent score per asset from named checks grouped by FAIR
principle.

Each check in ``QUALITY_CHECKS`` has an id, the FAIR principle it serves (F1-F4, A1-A2, I1-I3,
R1-R1.3, as in the seed's "FAIR Evaluation"), a weight, the kinds it applies to, and a verdict
per record: pass, fail (saying what was found and how to fix it) or "does not apply". The score is
``100 x (weights of the checks passed) / (weights of the checks that apply)``, rounded down, so a
reader can recompute it from the breakdown the site shows.

``quality_report(record, catalogue)`` gives the report the site renders; ``omh quality`` prints
it; ``check_quality_minimum`` (one of ``omh validate``'s checks) refuses a new or changed asset
scoring below ``quality.minimum_score`` of ``catalogue.yaml`` (no minimum when it is not set, so
that a catalogue opts in; this repository's catalogue.yaml sets 60).

Which assets the minimum applies to (``quality.apply_to``):

* ``changed`` (the default): the assets a change touches. With paths (``omh validate PATH...``, as
  pre-commit runs it) the records those paths belong to; with ``--base REF`` (as CI runs it) the
  records new or changed since REF, record file, card or any file in the folder (both given: the
  named records that changed). Validating everything without ``--base`` applies it to none: the
  assets already published are not failed retroactively when the minimum is raised, and their
  scores stay visible on the site and in ``omh quality``.
* ``all``: every asset checked, whatever changed.

Deleted records are never held to the minimum (they keep their metadata, not their files), nor
are records with template placeholders left (the placeholder check refuses them already).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

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
from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding, Location, Severity
from catalogue.model.kinds import CARD_FILE, KINDS
from catalogue.model.licenses import check_spdx_expression
from catalogue.model.pointers import is_loopback, usable_pointers
from catalogue.model.records import Record

if TYPE_CHECKING:
    from catalogue.link.catalogue import Catalogue

DEFAULT_MINIMUM_SCORE = 0
"""No minimum unless catalogue.yaml sets one."""
APPLY_TO = ("changed", "all")
RULE = "quality"

PRINCIPLES: dict[str, tuple[str, str]] = {
    "F1": ("Findable", "(Meta)data are assigned a globally unique and persistent identifier"),
    "F2": ("Findable", "Data are described with rich metadata"),
    "F3": ("Findable", "Metadata clearly and explicitly include the identifier of the data "
                       "they describe"),
    "F4": ("Findable", "(Meta)data are registered or indexed in a searchable resource"),
    "A1": ("Accessible", "(Meta)data are retrievable by their identifier using a standardised "
                         "communications protocol"),
    "A1.2": ("Accessible", "The protocol allows for an authentication and authorisation "
                           "procedure, where necessary"),
    "A2": ("Accessible", "Metadata are accessible, even when the data are no longer available"),
    "I1": ("Interoperable", "(Meta)data use a formal, accessible, shared and broadly applicable "
                            "language for knowledge representation"),
    "I2": ("Interoperable", "(Meta)data use vocabularies that follow FAIR principles"),
    "I3": ("Interoperable", "(Meta)data include qualified references to other (meta)data"),
    "R1": ("Reusable", "(Meta)data are richly described with a plurality of accurate and "
                       "relevant attributes"),
    "R1.1": ("Reusable", "(Meta)data are released with a clear and accessible data usage "
                         "licence"),
    "R1.2": ("Reusable", "(Meta)data are associated with detailed provenance"),
    "R1.3": ("Reusable", "(Meta)data meet domain-relevant community standards"),
}

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


# -- results -------------------------------------------------------------------------------


PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "n/a"


class Verdict(NamedTuple):
    """What one check found on one record."""

    status: str
    detail: str
    fix: str | None = None
    """How to fix it, when more specific than the check's own hint."""
    field: str | None = None
    """The record field the verdict is about, for the location of a message."""


def passed(detail: str, field: str | None = None) -> Verdict:
    return Verdict(PASS, detail, None, field)


def failed(detail: str, fix: str | None = None, field: str | None = None) -> Verdict:
    return Verdict(FAIL, detail, fix, field)


def not_applicable(detail: str) -> Verdict:
    return Verdict(NOT_APPLICABLE, detail)


@dataclass(frozen=True)
class CheckResult:
    id: str
    principle: str
    """F1 ... R1.3"""
    title: str
    weight: int
    status: str
    """``pass``, ``fail`` or ``n/a`` (does not apply to this record)."""
    detail: str
    """What was found."""
    fix: str | None
    """How to pass (only for a failed check)."""
    location: Location

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def applies(self) -> bool:
        return self.status != NOT_APPLICABLE

    @property
    def points(self) -> int:
        return self.weight if self.passed else 0

    @property
    def facet(self) -> str:
        """Findable, Accessible, Interoperable or Reusable."""
        return PRINCIPLES[self.principle][0]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "principle": self.principle, "facet": self.facet,
                "title": self.title, "weight": self.weight, "status": self.status,
                "points": self.points, "detail": self.detail, "fix": self.fix,
                "path": self.location.path, "line": self.location.line}


class PrincipleScore(NamedTuple):
    principle: str
    facet: str
    description: str
    earned: int
    possible: int
    checks: tuple[CheckResult, ...]


@dataclass(frozen=True)
class QualityReport:
    """The score of one asset and every check behind it."""

    record_id: str
    kind: str
    checks: tuple[CheckResult, ...]

    @property
    def applicable(self) -> list[CheckResult]:
        return [c for c in self.checks if c.applies]

    @property
    def earned(self) -> int:
        return sum(c.points for c in self.applicable)

    @property
    def possible(self) -> int:
        return sum(c.weight for c in self.applicable)

    @property
    def score(self) -> int:
        """0-100: points earned over points possible, rounded down."""
        return self.earned * 100 // self.possible if self.possible else 100

    @property
    def failed(self) -> list[CheckResult]:
        """Failed checks, the heaviest first."""
        return sorted((c for c in self.checks if c.status == FAIL),
                      key=lambda c: (-c.weight, _principle_order(c.principle), c.id))

    def gain(self, check: CheckResult) -> int:
        """How many score points passing ``check`` would add."""
        if check.passed or not check.applies or not self.possible:
            return 0
        return (self.earned + check.weight) * 100 // self.possible - self.score

    def principles(self) -> list[PrincipleScore]:
        """The checks grouped by FAIR principle, in F1 ... R1.3 order (principles with no
        applicable check are left out)."""
        groups: list[PrincipleScore] = []
        for principle, (facet, description) in PRINCIPLES.items():
            checks = tuple(c for c in self.checks if c.principle == principle)
            applicable = [c for c in checks if c.applies]
            if applicable:
                groups.append(PrincipleScore(principle, facet, description,
                                             sum(c.points for c in applicable),
                                             sum(c.weight for c in applicable), checks))
        return groups

    def facets(self) -> dict[str, tuple[int, int]]:
        """(earned, possible) per facet: Findable, Accessible, Interoperable, Reusable."""
        totals: dict[str, tuple[int, int]] = {}
        for group in self.principles():
            earned, possible = totals.get(group.facet, (0, 0))
            totals[group.facet] = (earned + group.earned, possible + group.possible)
        return totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "record": self.record_id, "kind": self.kind, "score": self.score,
            "earned": self.earned, "possible": self.possible,
            "facets": {name: {"earned": e, "possible": p}
                       for name, (e, p) in self.facets().items()},
            "checks": [c.as_dict() for c in self.checks],
        }


def _principle_order(principle: str) -> int:
    return list(PRINCIPLES).index(principle)


# -- what the checks can look up -----------------------------------------------------------


class Lookup:
    """Records by id and the experiments that produced each model, from a loaded catalogue
    (its link graph) or from a record store (searched once for the models asked about)."""

    def __init__(self, store: RecordStore, producers: dict[str, list[str]] | None = None) -> None:
        self.store = store
        self._producers = producers
        self._asked: set[str] = set(producers or ())

    @classmethod
    def of(cls, catalogue: Catalogue | RecordStore) -> Lookup:
        if isinstance(catalogue, RecordStore):
            return cls(catalogue)
        producers = {model.id: catalogue.graph.related(model.id, "produced_by")
                     for model in catalogue.of_kind(MODEL)}
        return cls(catalogue.store, producers)

    def get(self, record_id: object) -> Record | None:
        if not isinstance(record_id, str) or not self.store.exists(record_id):
            return None
        return self.store.get(record_id)

    def prepare(self, model_ids: Iterable[str]) -> None:
        """Find the producers of many models in one pass over the store."""
        wanted = set(model_ids) - self._asked
        if self._producers is None:
            self._producers = {}
        if not wanted:
            return
        self._asked |= wanted
        if len(wanted) > 20:  # cheaper to read every experiment than to search for each model
            candidates: Iterable[str] = self.store.ids(EXPERIMENT)
        else:
            candidates = sorted(self.store.referrers(wanted))
        for experiment_id in candidates:
            experiment = self.get(experiment_id)
            if experiment is None or experiment.kind.name != EXPERIMENT:
                continue
            for model_id in experiment.items("produced_models"):
                if model_id in wanted:
                    self._producers.setdefault(model_id, []).append(experiment_id)

    def producers(self, model_id: str) -> list[str]:
        if model_id not in self._asked:
            self.prepare([model_id])
        return (self._producers or {}).get(model_id, [])

    def load_errors(self, record_id: str) -> list[Finding]:
        return [f for f in self.store.findings(record_id) if f.severity is Severity.ERROR]


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


# -- scoring -------------------------------------------------------------------------------


def is_scored(record: Record) -> bool:
    """Assets (models, datasets, experiments) get a score; people, organisations and
    resources do not."""
    return record.kind.name in ASSETS


def _result(check: QualityCheck, record: Record, verdict: Verdict) -> CheckResult:
    if verdict.field and verdict.field in record.data:
        location = record.location((verdict.field,))
    elif check.id == "card" or (check.id == "access-conditions" and verdict.status == PASS):
        location = Location(f"{record.id}/{CARD_FILE}")
    else:
        location = record.location()
    fix = None if verdict.status != FAIL else (verdict.fix or check.fix)
    return CheckResult(check.id, check.principle, check.title, check.weight, verdict.status,
                       verdict.detail, fix, location)


def score_record(record: Record, lookup: Lookup) -> QualityReport:
    if not is_scored(record):
        raise ValueError(f"{record.id} is a {record.kind.name}; only models, datasets and "
                         "experiments have a quality score")
    results = []
    for check in QUALITY_CHECKS:
        if record.kind.name in check.kinds:
            results.append(_result(check, record, check.evaluate(record, lookup)))
    return QualityReport(record.id, record.kind.name, tuple(results))


def quality_report(record: Record, catalogue: Catalogue | RecordStore) -> QualityReport:
    """The score of ``record`` and its breakdown by FAIR principle. Raises ``ValueError`` for a
    record that is not an asset (see ``is_scored``)."""
    return score_record(record, Lookup.of(catalogue))


def quality_reports(catalogue: Catalogue | RecordStore,
                    records: Iterable[Record]) -> dict[str, QualityReport]:
    """Reports for many records, sharing one lookup (the site's way to score everything)."""
    lookup = Lookup.of(catalogue)
    wanted = [r for r in records if is_scored(r)]
    lookup.prepare(r.id for r in wanted if r.kind.name == MODEL)
    return {r.id: score_record(r, lookup) for r in wanted}


__all__ = [
    "CHECKS_BY_ID", "DATASET_CARD_SECTIONS", "DEFAULT_MINIMUM_SCORE", "PRINCIPLES",
    "QUALITY_CHECKS", "CheckResult", "PrincipleScore", "QualityCheck", "QualityReport",
    "Verdict", "is_scored", "quality_report", "quality_reports",
]
