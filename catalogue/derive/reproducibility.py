"""How reproducible an experiment or a model is from what its records say: the environment is
pinned, the code commit, random seed and workflow are recorded, the data it read is pinned by
checksum and the exported model is shown to match. Distinct from the FAIR quality score, which
asks whether a record can be found and reused, not whether its run can be repeated.

Also "config consistency": experiments that claim the same configuration (the same
``reproducibility_hash``) but record different settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from catalogue.check.parity import PASSED
from catalogue.derive.parity_status import NO_ONNX, parity_status
from catalogue.link.catalogue import Catalogue
from catalogue.model.lifecycle import DELETED
from catalogue.model.records import Record

PIN_MARKERS = ("==", "===", "@sha256:", " @ ")


class Criterion(NamedTuple):
    key: str
    title: str
    passed: bool | None
    """None: does not apply (a run that produced no ONNX model has no parity to show)."""
    detail: str


@dataclass(frozen=True)
class ReproducibilityReport:
    record_id: str
    criteria: tuple[Criterion, ...]

    @property
    def applicable(self) -> list[Criterion]:
        return [c for c in self.criteria if c.passed is not None]

    @property
    def score(self) -> int:
        """Percentage of the criteria that apply which pass (0 when none applies)."""
        applicable = self.applicable
        return round(100 * sum(c.passed is True for c in applicable) / len(applicable)) \
            if applicable else 0

    @property
    def missing(self) -> list[Criterion]:
        return [c for c in self.criteria if c.passed is False]

    def as_json(self) -> dict[str, Any]:
        return {"record": self.record_id, "score": self.score,
                "criteria": [c._asdict() for c in self.criteria],
                "missing": [c.key for c in self.missing]}


def _environment(record: Record, workflow: Record | None) -> dict[str, Any]:
    for source in (record, workflow):
        if source is not None and isinstance(env := source.data.get(
                "environment_specification"), dict) and env:
            return env
    return {}


def environment_pinned(record: Record, workflow: Record | None) -> Criterion:
    env = _environment(record, workflow)
    image = str(env.get("container_image") or "")
    if "@sha256:" in image:
        return Criterion("environment", "Environment pinned", True,
                         "Container image pinned by digest.")
    packages = [str(p) for p in env.get("packages") or []]
    loose = [p for p in packages if not any(m in p for m in PIN_MARKERS)]
    if packages and not loose:
        return Criterion("environment", "Environment pinned", True,
                         f"All {len(packages)} packages pinned to a version.")
    if not packages:
        found = "a container image without a digest" if image else "no packages or image"
        return Criterion("environment", "Environment pinned", False,
                         f"The environment lists {found}; pin packages (name==version) or "
                         "give the container image with its @sha256: digest.")
    return Criterion("environment", "Environment pinned", False,
                     f"Packages without a pinned version: {', '.join(loose[:5])}.")


def code_commit(record: Record, workflow: Record | None) -> Criterion:
    for source in (record, workflow):
        if source is not None and source.data.get("code_commit_hash"):
            where = "the run" if source is record else "its workflow"
            return Criterion("code_commit", "Code commit", True,
                             f"Commit {str(source.data['code_commit_hash'])[:12]} recorded on "
                             f"{where}.")
    return Criterion("code_commit", "Code commit", False,
                     "No code_commit_hash on the experiment or its workflow.")


def random_seed(record: Record) -> Criterion:
    seed = record.data.get("random_seed")
    return Criterion("random_seed", "Random seed", seed is not None,
                     f"Seed {seed}." if seed is not None else "No random_seed recorded.")


def data_pinned(record: Record, catalogue: Catalogue) -> Criterion:
    used = list(dict.fromkeys(str(u.get("dataset")) for u in record.mappings("datasets")
                              if u.get("dataset")))
    if not used:
        return Criterion("data", "Data pinned by checksum", False, "No dataset is recorded.")
    loose = []
    for dataset_id in used:
        dataset = catalogue.get(dataset_id)
        artefacts = dataset.mappings("artefacts") if dataset is not None else []
        if not artefacts or not all(a.get("sha256") for a in artefacts):
            loose.append(dataset_id)
    if loose:
        return Criterion("data", "Data pinned by checksum", False,
                         f"Without a checksum for every file: {', '.join(loose[:5])}.")
    return Criterion("data", "Data pinned by checksum", True,
                     f"Every file of {len(used)} dataset{'s' if len(used) != 1 else ''} has a "
                     "SHA-256.")


def parity_evidence(models: Iterable[Record]) -> Criterion:
    statuses = {m.id: parity_status(m) for m in models}
    relevant = {i: s for i, s in statuses.items() if s != NO_ONNX}
    if not relevant:
        return Criterion("parity", "Parity evidence", None, "No ONNX model to compare.")
    failing = [f"{i} ({s})" for i, s in relevant.items() if s != PASSED]
    if failing:
        return Criterion("parity", "Parity evidence", False,
                         f"Without passing parity evidence: {', '.join(failing[:5])}.")
    return Criterion("parity", "Parity evidence", True,
                     "The ONNX export reproduces the framework's outputs.")


def workflow_recorded(record: Record) -> Criterion:
    workflow = record.data.get("workflow")
    return Criterion("workflow", "Workflow recorded", bool(workflow),
                     f"Ran {workflow}." if workflow else "No workflow named.")


def experiment_report(experiment: Record, catalogue: Catalogue) -> ReproducibilityReport:
    workflow = catalogue.get(experiment.data.get("workflow"))
    produced = [m for i in catalogue.graph.related(experiment.id, "produced_models")
                if (m := catalogue.get(i)) is not None]
    return ReproducibilityReport(experiment.id, (
        environment_pinned(experiment, workflow), code_commit(experiment, workflow),
        random_seed(experiment), data_pinned(experiment, catalogue),
        parity_evidence(produced), workflow_recorded(experiment)))


def model_report(model: Record, catalogue: Catalogue) -> ReproducibilityReport:
    """A model's report: the run criteria of the experiments that produced it (a criterion
    passes when every such experiment passes it) and its own parity evidence."""
    runs = [experiment_report(e, catalogue) for i in
            catalogue.graph.related(model.id, "produced_by")
            if (e := catalogue.get(i)) is not None]
    criteria = []
    for key, title in (("environment", "Environment pinned"), ("code_commit", "Code commit"),
                       ("random_seed", "Random seed"), ("data", "Data pinned by checksum")):
        found = [c for r in runs for c in r.criteria if c.key == key]
        if not found:
            criteria.append(Criterion(key, title, False,
                                      "No experiment records how the model was made."))
        else:
            failing = [c for c in found if not c.passed]
            criteria.append(failing[0] if failing else found[0])
    criteria.append(parity_evidence([model]))
    workflows = [c for r in runs for c in r.criteria if c.key == "workflow"]
    criteria.append(next((c for c in workflows if not c.passed), None) or (
        workflows[0] if workflows else Criterion("workflow", "Workflow recorded", False,
                                                 "No experiment records how the model was "
                                                 "made.")))
    return ReproducibilityReport(model.id, tuple(criteria))


REPORTERS: dict[str, Callable[[Record, Catalogue], ReproducibilityReport]] = {
    "experiment": experiment_report, "model": model_report}


def reproducibility_reports(catalogue: Catalogue) -> dict[str, ReproducibilityReport]:
    """The report of every experiment and model that is not deleted, by record id."""
    return {r.id: REPORTERS[r.kind.name](r, catalogue) for kind in REPORTERS
            for r in catalogue.of_kind(kind) if r.status != DELETED}


CONFIG_FIELDS = ("hyperparameters", "config_parameters", "environment_specification",
                 "code_commit_hash", "workflow")


class Inconsistency(NamedTuple):
    claim: str
    """The shared ``reproducibility_hash``."""
    experiments: tuple[str, ...]
    differing: tuple[str, ...]
    """The configuration fields whose values differ between them."""


def config_inconsistencies(catalogue: Catalogue) -> list[Inconsistency]:
    groups: dict[str, list[Record]] = {}
    for experiment in catalogue.of_kind("experiment"):
        claim = experiment.data.get("reproducibility_hash")
        if claim and experiment.status != DELETED:
            groups.setdefault(str(claim), []).append(experiment)
    found = []
    for claim, members in sorted(groups.items()):
        if len(members) < 2:
            continue
        differing = tuple(f for f in CONFIG_FIELDS
                          if len({repr(m.data.get(f)) for m in members}) > 1)
        if differing:
            found.append(Inconsistency(claim, tuple(sorted(m.id for m in members)), differing))
    return found
