"""``scripts/capture_run.py`` as CONTRIBUTING.md has a contributor run it: a training script
inside an MLflow run (a SQLite store) and CodeCarbon's offline tracker, on a machine that is no
CI (MLflow's usage telemetry would be on), with every host but this one refused. The two
commands it prints then make an experiment record that validates, with the measured energy; a
script that fails makes a failed run."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import minimal_records, write_catalogue

from omh.cli import main

pytest.importorskip("mlflow")
pytest.importorskip("codecarbon")

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "capture_run.py"
PEOPLE = ["--created-by", "researchers/ada-lovelace", "--organization",
          "organizations/test-institute", "--license", "MIT"]
NOT_CI = {"PYTEST_CURRENT_TEST", "CI", "GITHUB_ACTIONS", "MLFLOW_DISABLE_TELEMETRY",
          "DO_NOT_TRACK"}
"""What would tell MLflow not to send its telemetry, whoever set it: the script must."""

GUARD = '''
import os
import socket

lookup = socket.getaddrinfo


def refused(host, *args, **kwargs):
    if host not in ("127.0.0.1", "localhost", "::1", None):
        with open(os.environ["OMH_NETWORK_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{host}\\n")
        raise OSError(f"no network in this test: {host}")
    return lookup(host, *args, **kwargs)


socket.getaddrinfo = refused
'''

TRAINING = '''
import sys

import mlflow
import numpy as np

mlflow.log_param("alpha", 0.5)
matrix = np.linspace(0.0, 1.0, 40_000).reshape(200, 200)
for step, loss in enumerate((0.9, 0.4)):
    for _ in range(20):  # something for CodeCarbon to measure
        matrix = matrix @ matrix.T
        matrix /= matrix.max()
    mlflow.log_metric("train_loss", loss, step=step)
sys.exit(int(sys.argv[1]))
'''


def _capture(tmp_path: Path, run_name: str, status: int) -> tuple[int, str]:
    """Run the script around the training script (which exits with ``status``); its exit
    status and what it printed."""
    guard = tmp_path / "guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    training = tmp_path / "train.py"
    training.write_text(TRAINING, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in NOT_CI}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(guard), env.get("PYTHONPATH")]))
    env["OMH_NETWORK_LOG"] = str(tmp_path / "network.log")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--tracking-uri", f"sqlite:///{tmp_path / 'mlflow.db'}",
         "--experiment", "capture", "--run-name", run_name, "--description",
         "Fits alpha on the test data.", "--country-iso-code", "FIN", "--output-dir",
         str(tmp_path / "runs"), "--requirement", "numpy", "--", str(training), str(status)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    return done.returncode, done.stdout + done.stderr


def _record(root: Path, record_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / record_id / "record.yaml").read_text())
    return data


def test_a_captured_run_is_imported_with_its_energy_and_nothing_left_the_machine(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, said = _capture(tmp_path, "captured-run", 0)
    assert status == 0, said
    assert not (tmp_path / "network.log").exists(), (tmp_path / "network.log").read_text()
    commands = re.findall(r"^  (omh import-\S+ .*)$", said, re.MULTILINE)
    assert len(commands) == 2, said
    mlflow_run = re.search(r"--run (\w+)", commands[0])
    codecarbon_run = re.search(r"--run-id ([\w-]+)", commands[1])
    assert mlflow_run and codecarbon_run, commands

    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    store = commands[0].split()[2]  # the store as the script printed it
    assert main(["import-mlflow", store, "--run", mlflow_run[1], "--slug", "captured-run",
                 "--root", str(root), *PEOPLE]) == 0, capsys.readouterr()
    emissions = tmp_path / "runs" / "emissions.csv"
    assert main(["import-codecarbon", str(emissions), "--run-id", codecarbon_run[1],
                 "--experiment", "experiments/captured-run", "--resource",
                 "resources/test-workstation", "--root", str(root)]) == 0, capsys.readouterr()
    record = _record(root, "experiments/captured-run")
    assert record["experiment_status"] == "completed"
    assert record["description"] == "Fits alpha on the test data."
    assert record["hyperparameters"] == {"alpha": 0.5}
    loss = next(m for m in record["metrics"] if m["name"] == "train_loss")
    assert [(s["step"], s["value"]) for s in loss["steps"]] == [(0, 0.9), (1, 0.4)]
    assert record["environment_specification"]["packages"] == [
        f"numpy=={importlib.metadata.version('numpy')}"]
    [usage] = record["resource_utilizations"]
    measurement = usage["energy_measurement"]
    assert measurement["source"] == "codecarbon" and measurement["run_id"] == codecarbon_run[1]
    assert measurement["location"]["country"] == "FI" and usage["energy_consumption_kwh"] > 0
    capsys.readouterr()
    assert main(["validate", "--root", str(root)]) == 0, capsys.readouterr()

    status, said = _capture(tmp_path, "failed-run", 3)
    assert status == 3, said
    failed = re.search(r"omh import-mlflow \S+ --run (\w+)", said)
    assert failed, said
    assert main(["import-mlflow", store, "--run", failed[1], "--slug", "failed-run",
                 "--root", str(root), *PEOPLE]) == 0, capsys.readouterr()
    assert _record(root, "experiments/failed-run")["experiment_status"] == "failed"
