"""Run a training script inside an MLflow run and CodeCarbon's offline tracker, so that its
configuration, metrics and measured energy can be imported into the catalogue.

    python scripts/capture_run.py --tracking-uri sqlite:///runs/mlflow.db \
        --experiment iris-softmax --run-name iris-classifier-training \
        --country-iso-code FIN --output-dir runs --requirement numpy --requirement onnx \
        -- scripts/train_iris_with_mlflow.py [its arguments]

The script runs in this process (``runpy``), so:

* its own ``mlflow.log_param`` / ``log_metric`` / ``log_input`` calls go to this run (MLflow's
  active run), and ``--autolog`` turns on ``mlflow.autolog()`` for scripts that log nothing;
* CodeCarbon measures this process only (``tracking_mode="process"``), offline: the country
  is given, nothing is fetched from the network, and its output is ``<output-dir>/
  emissions.csv``, also logged to the run as an artefact;
* MLflow's usage telemetry is off unless ``MLFLOW_DISABLE_TELEMETRY`` says otherwise: with a
  local store, the run contacts no other host.

The run also gets ``requirements.txt`` and ``python_env.yaml`` with the installed versions of
the ``--requirement`` packages (what ``omh import-mlflow`` reads as the environment). At the
end it prints the run id and the two ``omh import-*`` commands that make the record.
Needs: pip install "open-models-hub[mlflow,codecarbon]".
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.metadata
import logging
import os
import platform
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def environment_files(requirements: list[str]) -> dict[str, str]:
    """``requirements.txt`` (pinned installed versions) and MLflow's ``python_env.yaml``."""
    pins = []
    for name in requirements:
        try:
            pins.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            raise SystemExit(f"--requirement {name}: not installed in this environment") from None
    python = platform.python_version()
    return {"requirements.txt": "".join(f"{pin}\n" for pin in pins),
            "python_env.yaml": f"python: {python}\nbuild_dependencies:\n- pip\n"
                               "dependencies:\n- -r requirements.txt\n"}


@contextlib.contextmanager
def emissions_tracker(country: str, output_dir: Path, project: str) -> Iterator[Any]:
    """CodeCarbon's offline tracker around the block: no network, no API, this process only."""
    from codecarbon import OfflineEmissionsTracker, OutputMethod

    logging.getLogger("codecarbon").setLevel(logging.ERROR)
    tracker = OfflineEmissionsTracker(
        country_iso_code=country, output_dir=str(output_dir), output_file="emissions.csv",
        project_name=project, measure_power_secs=1, tracking_mode="process",
        output_methods=[OutputMethod.CSV], log_level="error", allow_multiple_runs=True)
    tracker.start()
    try:
        yield tracker
    finally:
        tracker.stop()


def last_run_id(csv_path: Path) -> str | None:
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return rows[-1].get("run_id") if rows else None


def run_script(script: Path, arguments: list[str]) -> int:
    """Run ``script`` as ``__main__`` with ``arguments``; its exit status."""
    saved = sys.argv[:]
    sys.argv = [str(script), *arguments]
    sys.path.insert(0, str(script.parent))
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        sys.argv = saved
        sys.path.remove(str(script.parent))
    return 0


def capture(args: argparse.Namespace) -> int:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # (read when mlflow is imported)
    import mlflow

    args.output_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_experiment(args.experiment)
    if args.autolog:
        mlflow.autolog()
    with mlflow.start_run(run_name=args.run_name, description=args.description) as run:
        for name, text in environment_files(args.requirement).items():
            mlflow.log_text(text, f"environment/{name}")
        with emissions_tracker(args.country_iso_code, args.output_dir, args.run_name):
            code = run_script(args.script, args.arguments)
        emissions = args.output_dir / "emissions.csv"
        mlflow.log_artifact(str(emissions), "codecarbon")
        codecarbon_run = last_run_id(emissions)
        if codecarbon_run:
            mlflow.set_tag("codecarbon.run_id", codecarbon_run)
        if code != 0:
            mlflow.end_run(status="FAILED")
    print(f"MLflow run {run.info.run_id} ({args.tracking_uri}); CodeCarbon run {codecarbon_run} "
          f"in {emissions}")
    print("import it:\n"
          f"  omh import-mlflow {args.tracking_uri} --run {run.info.run_id} --slug <slug> ...\n"
          f"  omh import-codecarbon {emissions} --run-id {codecarbon_run} "
          "--experiment experiments/<slug> --resource resources/<this machine>")
    return code


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    result.add_argument("--tracking-uri", required=True,
                        help="MLflow store: sqlite:///path/mlflow.db, a folder, or a server URL")
    result.add_argument("--experiment", required=True, help="the MLflow experiment's name")
    result.add_argument("--run-name", required=True)
    result.add_argument("--description", help="the run's note (the record's description)")
    result.add_argument("--country-iso-code", required=True, metavar="ISO3",
                        help="where the machine is, ISO 3166 alpha-3 (CodeCarbon offline)")
    result.add_argument("--output-dir", type=Path, default=Path("runs"),
                        help="where CodeCarbon writes emissions.csv (default: runs)")
    result.add_argument("--requirement", action="append", default=[], metavar="PACKAGE",
                        help="a package whose installed version to pin (repeat)")
    result.add_argument("--autolog", action="store_true", help="turn on mlflow.autolog()")
    result.add_argument("script", type=Path, help="the training script to run")
    result.add_argument("arguments", nargs=argparse.REMAINDER, help="the script's arguments")
    return result


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.arguments[:1] == ["--"]:
        args.arguments = args.arguments[1:]
    if not args.script.is_file():
        print(f"{args.script}: no such script", file=sys.stderr)
        return 2
    return capture(args)


if __name__ == "__main__":
    sys.exit(main())
