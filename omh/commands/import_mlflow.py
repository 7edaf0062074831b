"""``omh import-mlflow``: an MLflow run (or every run of an experiment) as an experiment record."""

from __future__ import annotations

import argparse
from pathlib import Path

from catalogue.importers.mlflow_run import RunOptions, import_runs
from catalogue.importers.result import ImportRefused
from catalogue.load.schema_check import enum_values
from catalogue.load.store import RecordStore
from omh.commands.import_support import (
    add_people_arguments,
    people_problems,
    refuse,
    write_and_check,
)

COMMAND = "import-mlflow"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        COMMAND, parents=[parent],
        help="make an experiment record from an MLflow run, for review",
        description="Read a run from an MLflow tracking store (an mlruns folder, an mlflow.db "
                    "SQLite file, or a tracking server URL) with MLflow's client and write "
                    "experiments/<slug>/record.yaml: parameters, metric histories with steps "
                    "and times, start and end, status, tags, the git commit, the logged "
                    "environment, datasets and files. What the run cannot say is left as <FILL "
                    "...> placeholders and listed for review, and the result is validated. "
                    "Needs the mlflow extra: pip install \"open-models-hub[mlflow]\". Exit 0 when "
                    "the record validates, 1 when findings are left to fill, 2 when refused.")
    parser.add_argument("store", metavar="STORE",
                        help="mlruns folder, mlflow.db file (or sqlite:///...), or server URL")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--run", metavar="RUN_ID", help="the run to import")
    which.add_argument("--experiment", metavar="NAME_OR_ID",
                       help="import every run of this MLflow experiment")
    parser.add_argument("--slug", help="the record's slug (default: from the run name)")
    parser.add_argument("--name", help="the record's name (default: the run name)")
    add_people_arguments(parser)
    parser.add_argument("--license", metavar="SPDX", help="the record's licence (SPDX id)")
    parser.add_argument("--experiment-type", default="training",
                        choices=enum_values("experiment_type"),
                        help="what kind of run it was (default: training)")
    parser.add_argument("--workflow", metavar="WORKFLOW", help="workflows/<slug> the run executed")
    parser.add_argument("--produced-model", action="append", default=[], metavar="MODEL",
                        help="models/<slug> the run produced (repeat for several)")
    parser.add_argument("--max-steps", type=int, default=500, metavar="N",
                        help="keep at most N points of each metric history, evenly spaced "
                             "(default: 500)")
    parser.add_argument("--copy-artefacts", action="store_true",
                        help="copy the run's files into the record's folder and list them with "
                             "sha256 and size")
    parser.add_argument("--copy-limit-mb", type=float, default=10.0, metavar="MB",
                        help="largest file --copy-artefacts copies (default: 10 MB)")
    parser.add_argument("--update", action="store_true",
                        help="write the run's fields into the existing record, keeping the rest")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the record instead of writing it")
    parser.add_argument("--force", action="store_true", help="overwrite an existing record")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    store = RecordStore(root)
    problems = people_problems(store, args.created_by, args.organization)
    for flag, value, folder in (("--workflow", args.workflow, "workflows"),
                                *(("--produced-model", m, "models")
                                  for m in args.produced_model)):
        if value and (not value.startswith(folder + "/") or not store.exists(value)):
            problems.append(f"{flag} {value}: no such record in {root} (expected "
                            f"{folder}/<slug>)")
    if args.max_steps < 1:
        problems.append(f"--max-steps {args.max_steps}: expected 1 or more")
    if problems:
        return refuse(COMMAND, problems)
    options = RunOptions(slug=args.slug, name=args.name, created_by=tuple(args.created_by),
                         organization=args.organization, license=args.license,
                         experiment_type=args.experiment_type, workflow=args.workflow,
                         produced_models=tuple(args.produced_model), max_steps=args.max_steps,
                         copy_artefacts=args.copy_artefacts,
                         copy_limit_bytes=int(args.copy_limit_mb * 1_000_000),
                         update=args.update)
    try:
        imported = import_runs(args.store, store, run_id=args.run, experiment=args.experiment,
                               options=options)
    except ImportRefused as exc:
        return refuse(COMMAND, [str(exc)])
    return write_and_check(COMMAND, root, imported, force=args.force, dry_run=args.dry_run)
