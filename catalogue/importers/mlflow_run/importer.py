"""An MLflow run as an experiment record: a new record for review, or the run's fields updated
in an existing record (``update``), keeping everything a person wrote that the run cannot say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from catalogue.importers.mlflow_run.inputs import dataset_entries, merge_datasets
from catalogue.importers.mlflow_run.metrics import merge_metrics, metric_entries
from catalogue.importers.mlflow_run.run_files import artefacts, environment, list_files
from catalogue.importers.mlflow_run.store import client, mlflow_error, select_runs, tracking_uri
from catalogue.importers.result import Imported, ImportRefused, people_fields
from catalogue.importers.values import (
    has_inner_comments,
    is_scalar_key,
    iso_from_millis,
    leading_comments,
    plain,
    scalar,
)
from catalogue.load.store import RecordStore
from catalogue.model.ids import is_slug, suggest_slug
from catalogue.model.kinds import KINDS, RECORD_FILE
from catalogue.model.placeholders import placeholder

TOOL = "omh import-mlflow"
STATUSES = {"FINISHED": "completed", "FAILED": "failed", "KILLED": "cancelled",
            "RUNNING": "running", "SCHEDULED": "pending"}
RUN_FIELDS = ("experiment_status", "start_time", "end_time", "duration_seconds",
              "hyperparameters", "code_repository_url", "code_commit_hash",
              "environment_specification")
"""Fields an update takes from the run, replacing what the record said."""
SYSTEM_TAGS = {"mlflow.source.git.commit", "mlflow.source.git.repoURL", "mlflow.note.content",
               "mlflow.runName", "mlflow.user", "mlflow.source.name", "mlflow.source.type",
               "mlflow.source.git.branch", "mlflow.log-model.history", "mlflow.parentRunId",
               "mlflow.loggedArtifacts", "mlflow.autologging", "codecarbon.run_id"}
ORDER = ("kind", "name", "version", "description", "created_at", "created_by", "organization",
         "license", "access_rights", "subjects", "experiment_type", "experiment_status",
         "start_time", "end_time", "duration_seconds", "workflow", "code_repository_url",
         "code_commit_hash", "config_parameters", "hyperparameters", "environment_specification",
         "datasets", "produced_models", "metrics", "artefacts", "resource_utilizations")


@dataclass
class RunOptions:
    """What the person running the import adds to what the run says."""

    slug: str | None = None
    name: str | None = None
    created_by: tuple[str, ...] = ()
    organization: str | None = None
    license: str | None = None
    experiment_type: str = "training"
    workflow: str | None = None
    produced_models: tuple[str, ...] = ()
    max_steps: int = 500
    copy_artefacts: bool = False
    copy_limit_bytes: int = 10_000_000
    update: bool = False


def import_runs(location: str, store: RecordStore, *, run_id: str | None = None,
                experiment: str | None = None,
                options: RunOptions | None = None) -> list[Imported]:
    """One ``Imported`` per run (nothing is written)."""
    options = options or RunOptions()
    uri = tracking_uri(location)
    mlflow_client = client(uri)
    runs = select_runs(mlflow_client, uri, run_id, experiment)
    if len(runs) > 1 and options.slug:
        raise ImportRefused("--slug names one record; with --experiment every run gets its own "
                            "slug from its run name")
    taken: set[str] = set()
    imported = []
    for run in runs:
        try:
            imported.append(_import_run(mlflow_client, uri, run, store, options, taken))
        except ImportRefused:
            raise
        except Exception as exc:  # MLflow raises its own exceptions for a store it cannot read
            raise mlflow_error(exc, uri) from None
    return imported


def _slug(run: Any, options: RunOptions, store: RecordStore, taken: set[str]) -> str:
    if options.slug:
        if not is_slug(options.slug):
            raise ImportRefused(f"--slug {options.slug}: not a valid slug; use lower-case letters, "
                                f"digits and single hyphens, e.g. '{suggest_slug(options.slug)}'")
        return options.slug
    base = suggest_slug(run.info.run_name or run.info.run_id)
    slug = base
    taken_elsewhere = slug in taken or (not options.update and store.exists(f"experiments/{slug}"))
    if taken_elsewhere:
        slug = f"{base}-{run.info.run_id[:8].lower()}"
    taken.add(slug)
    return slug


def _repository_url(url: str | None) -> str | None:
    if not url:
        return None
    found = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?/?$", url)
    if found:
        return f"https://{found.group(1)}/{found.group(2)}"
    return re.sub(r"\.git/?$", "", url) if url.startswith(("https://", "http://")) else None


def _hyperparameters(params: dict[str, str], notes: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in sorted(params):
        if not is_scalar_key(key):
            notes.append(f"hyperparameters: left out {key!r} (a name must start with a letter or "
                         "_ and hold only letters, digits, _ . -)")
            continue
        values[key] = scalar(params[key])
    return values


def _config(tags: dict[str, str], notes: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    unmapped: list[str] = []
    for key in sorted(tags):
        if key.startswith(("mlflow.", "codecarbon.")):
            if key not in SYSTEM_TAGS:
                unmapped.append(key)
            continue
        if is_scalar_key(key):
            config[key] = scalar(tags[key])
        else:
            unmapped.append(key)
    if unmapped:
        notes.append(f"tags not mapped: {', '.join(unmapped)}")
    if config:
        notes.append(f"config_parameters: the run's tags {', '.join(config)}")
    return config


def _run_fields(mlflow_client: Any, run: Any, store: RecordStore, options: RunOptions,
                notes: list[str], copies: dict[str, bytes]) -> dict[str, Any]:
    info, data = run.info, run.data
    tags: dict[str, str] = dict(data.tags)
    fields: dict[str, Any] = {}
    status = STATUSES.get(info.status)
    fields["experiment_status"] = status or "pending"
    if status is None:
        notes.append(f"experiment_status: MLflow's status {info.status!r} has no counterpart; "
                     "written as pending")
    if info.start_time:
        fields["start_time"] = iso_from_millis(info.start_time)
    if info.end_time:
        fields["end_time"] = iso_from_millis(info.end_time)
        if info.start_time:
            fields["duration_seconds"] = round((info.end_time - info.start_time) / 1000, 3)
    hyperparameters = _hyperparameters(dict(data.params), notes)
    if hyperparameters:
        fields["hyperparameters"] = hyperparameters
    config = _config(tags, notes)
    if config:
        fields["config_parameters"] = config
    commit = tags.get("mlflow.source.git.commit")
    if commit and re.fullmatch(r"[0-9a-f]{7,64}", commit):
        fields["code_commit_hash"] = commit
    elif not commit:
        notes.append("code_commit_hash: the run logged no git commit (MLflow records it when "
                     "the training script runs inside a git clone); write the commit")
    repository = tags.get("mlflow.source.git.repoURL")
    url = _repository_url(repository)
    if url:
        fields["code_repository_url"] = url
    elif repository:
        notes.append(f"code_repository_url: {repository} is not an https:// URL; write the "
                     "repository's web address")
    files = list_files(mlflow_client, info.run_id, notes)
    spec = environment(mlflow_client, info.run_id, files, notes)
    if spec:
        fields["environment_specification"] = spec
    else:
        notes.append("environment_specification: the run logged no requirements.txt, "
                     "python_env.yaml or conda.yaml; pin the packages it ran with")
    datasets = dataset_entries(run.inputs, store, notes)
    if datasets:
        fields["datasets"] = datasets
    histories = {key: mlflow_client.get_metric_history(info.run_id, key) for key in data.metrics}
    metrics = metric_entries(histories, options.max_steps, notes)
    if metrics:
        fields["metrics"] = metrics
    pointers, copied = artefacts(mlflow_client, info.run_id, files, options.copy_artefacts,
                                 options.copy_limit_bytes, notes)
    if pointers:
        fields["artefacts"] = pointers
        copies.update(copied)
    if any(f.path.endswith("emissions.csv") for f in files):
        notes.append("the run logged CodeCarbon's emissions.csv: add the measured energy with "
                     "omh import-codecarbon <that file> --experiment <this record> --resource "
                     "resources/<the machine>")
    return fields


def _new_record(run: Any, fields: dict[str, Any], options: RunOptions,
                notes: list[str]) -> dict[str, Any]:
    tags: dict[str, str] = dict(run.data.tags)
    record: dict[str, Any] = {"kind": "experiment"}
    record["name"] = options.name or run.info.run_name or f"MLflow run {run.info.run_id}"
    record["version"] = "1.0.0"
    note = (tags.get("mlflow.note.content") or "").strip()
    record["description"] = note or placeholder(
        "what the run did, on which data, with which code and result")
    if not note:
        notes.append("description: the run has no description (MLflow's run note); write one")
    day = fields.get("start_time", "")[:10]
    if day:
        record["created_at"] = day
    record.update(people_fields(options.created_by, options.organization))
    record["license"] = options.license or placeholder("SPDX licence id of the record and files")
    record["access_rights"] = "public"
    record["experiment_type"] = options.experiment_type
    if options.workflow:
        record["workflow"] = options.workflow
    if options.produced_models:
        record["produced_models"] = list(options.produced_models)
    else:
        notes.append("produced_models: name the model records the run produced "
                     "(--produced-model models/<slug>)")
    record.update(fields)
    return record


def _update_record(existing: dict[str, Any], fields: dict[str, Any], options: RunOptions,
                   notes: list[str]) -> dict[str, Any]:
    record = dict(existing)
    for key in RUN_FIELDS:
        if key in fields:
            record[key] = fields[key]
    if "config_parameters" in fields:
        record["config_parameters"] = {**(record.get("config_parameters") or {}),
                                       **fields["config_parameters"]}
    if "metrics" in fields:
        record["metrics"] = merge_metrics(existing.get("metrics") or [], fields["metrics"], notes)
    if "datasets" in fields:
        record["datasets"] = merge_datasets(existing.get("datasets") or [], fields["datasets"])
    if "artefacts" in fields:
        kept = [a for a in existing.get("artefacts") or []
                if not str(a.get("path", "")).startswith("run-artefacts/")]
        record["artefacts"] = kept + fields["artefacts"]
    for key, value in (("workflow", options.workflow), ("license", options.license),
                       ("name", options.name)):
        if value:
            record[key] = value
    if options.produced_models:
        record["produced_models"] = list(options.produced_models)
    return record


def _ordered(record: dict[str, Any]) -> dict[str, Any]:
    ordered = {k: record[k] for k in ORDER if k in record}
    ordered.update({k: v for k, v in record.items() if k not in ordered})
    return ordered


def _import_run(mlflow_client: Any, uri: str, run: Any, store: RecordStore,
                options: RunOptions, taken: set[str]) -> Imported:
    notes: list[str] = []
    copies: dict[str, bytes] = {}
    slug = _slug(run, options, store, taken)
    record_id = f"experiments/{slug}"
    fields = _run_fields(mlflow_client, run, store, options, notes, copies)
    source = f"the MLflow run {run.info.run_id}"
    header: list[str] = []
    if options.update:
        existing = store.get(record_id)
        path = store.paths.get(record_id)
        if existing is None or path is None:
            raise ImportRefused(f"--update: {record_id} is not in the catalogue (or cannot be "
                                f"read: omh validate {record_id}); import it without --update")
        text = path.read_text(encoding="utf-8")
        if has_inner_comments(text):
            notes.append(f"{record_id}/{RECORD_FILE}: comments inside the record were not kept "
                         "(git diff shows them)")
        header = [line for line in leading_comments(text)
                  if not line.startswith(f"Run fields updated by {TOOL}")]
        header.append(f"Run fields updated by {TOOL} from {source}.")
        record = _update_record(plain(existing.data), fields, options, notes)
    else:
        record = _new_record(run, fields, options, notes)
    return Imported(KINDS["experiment"], slug, _ordered(record), source, TOOL, files=copies,
                    notes=notes, header=header, update=options.update)

