"""``omh import-mlflow``: runs logged by MLflow itself, in a temporary file store, SQLite store
and (once) a tracking server on 127.0.0.1, become experiment records that validate."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import minimal_records, write_catalogue

from omh.cli import main

mlflow = pytest.importorskip("mlflow")
pd = pytest.importorskip("pandas")

PEOPLE = ["--created-by", "researchers/ada-lovelace", "--organization",
          "organizations/test-institute", "--license", "MIT"]


def _catalogue(folder: Path) -> Path:
    root = write_catalogue(folder, dict(minimal_records()))
    (root / "datasets/test-data/data.csv").write_text("x,y\n1,0.5\n2,0.25\n3,0.125\n")
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return _catalogue(tmp_path / "catalogue")


class Logged(dict[str, str]):
    """Run ids by name, in one SQLite store made once for the module (MLflow creates its
    tables in seconds, not milliseconds)."""

    database: Path


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Logged:
    folder = tmp_path_factory.mktemp("mlflow")
    training = _catalogue(folder / "catalogue")
    runs = Logged()
    runs.database = folder / "mlflow.db"
    here = Path.cwd()
    os.chdir(training)  # the script runs in the repository: its data paths are relative
    try:
        uri = f"sqlite:///{runs.database}"
        runs["baseline-run"] = log_run(uri)
        runs["sweep-1"] = log_run(uri, name="sweep-a", experiment="sweep")
        runs["sweep-2"] = log_run(uri, name="sweep-a", experiment="sweep")
        runs["test-run"] = log_run(uri, name="test-run")
    finally:
        os.chdir(here)
    return runs


def log_run(uri: str, name: str = "baseline-run", experiment: str = "demo") -> str:
    """A run as a training script logs it: parameters, a metric history, tags, a note, the
    training data as an MLflow dataset, environment files and one small file."""
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(experiment)
    data = Path("datasets/test-data/data.csv")
    with mlflow.start_run(run_name=name, description="Fits the test model on the test data "
                          "with three epochs.") as run:
        mlflow.log_params({"learning_rate": "0.01", "epochs": 3, "optimizer": "adam",
                           "use_bias": True})
        for step, loss in enumerate((0.9, 0.5, 0.3)):
            mlflow.log_metric("train_loss", loss, step=step)
        mlflow.log_metric("val_accuracy", 0.8)
        mlflow.set_tag("team", "catalogue")
        frame = pd.read_csv(data)
        dataset = mlflow.data.from_pandas(frame, source=str(data), name="test-data")
        mlflow.log_input(dataset, context="training")
        mlflow.log_text("numpy==2.0.0\n", "environment/requirements.txt")
        mlflow.log_text("python: 3.11.7\ndependencies:\n- -r requirements.txt\n",
                        "environment/python_env.yaml")
        mlflow.log_dict({"classes": ["a", "b"]}, "labels.json")
    return str(run.info.run_id)


def _record(root: Path, record_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / record_id / "record.yaml").read_text())
    return data


@pytest.fixture(params=["file", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path, logged: Logged,
          monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """(what a person types for the store, the id of the run 'baseline-run' in it)."""
    if request.param == "sqlite":
        return str(logged.database), logged["baseline-run"]
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.chdir(_catalogue(tmp_path / "training"))
    folder = tmp_path / "mlruns"
    return str(folder), log_run(folder.as_uri())


def test_a_run_becomes_an_experiment_that_validates(
        root: Path, store: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    typed, run_id = store
    code = main(["import-mlflow", typed, "--run", run_id, "--root", str(root), *PEOPLE,
                 "--produced-model", "models/test-model", "--copy-artefacts"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "omh validate: experiments/baseline-run: no findings" in out
    record = _record(root, "experiments/baseline-run")
    assert record["name"] == "baseline-run"
    assert record["description"] == "Fits the test model on the test data with three epochs."
    assert record["experiment_status"] == "completed"
    assert record["hyperparameters"] == {"epochs": 3, "learning_rate": 0.01,
                                         "optimizer": "adam", "use_bias": True}
    assert record["config_parameters"] == {"team": "catalogue"}
    loss = next(m for m in record["metrics"] if m["name"] == "train_loss")
    assert (loss["value"], loss["metric_type"], loss["split"], loss["higher_is_better"]) == (
        0.3, "loss", "train", False)
    assert [(s["step"], s["value"]) for s in loss["steps"]] == [(0, 0.9), (1, 0.5), (2, 0.3)]
    assert all(s["timestamp"].endswith("Z") for s in loss["steps"])
    accuracy = next(m for m in record["metrics"] if m["name"] == "val_accuracy")
    assert (accuracy["metric_type"], accuracy["split"]) == ("accuracy", "validation")
    assert record["datasets"] == [{"dataset": "datasets/test-data", "role": "training",
                                   "split": "train", "num_records": 3}]
    assert record["environment_specification"] == {"python_version": "3.11.7",
                                                   "packages": ["numpy==2.0.0"]}
    assert record["start_time"] < record["end_time"] and record["duration_seconds"] >= 0
    labels = next(a for a in record["artefacts"] if a["path"].endswith("labels.json"))
    copied = root / "experiments/baseline-run" / labels["path"]
    assert labels["sha256"] == hashlib.sha256(copied.read_bytes()).hexdigest()
    assert labels["size_bytes"] == copied.stat().st_size and labels["role"] == "config"


def test_every_run_of_an_experiment_and_what_is_left_to_fill(
        root: Path, logged: Logged, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import-mlflow", str(logged.database), "--experiment", "sweep",
                 "--root", str(root)])
    out = capsys.readouterr().out
    assert code == 1  # written, with placeholders to fill
    records = sorted(p.parent.name for p in (root / "experiments").glob("sweep-a*/record.yaml"))
    assert len(records) == 2 and records[0] == "sweep-a"  # the second gets its run id
    assert "left to fill before the pull request" in out and "[placeholder]" in out
    assert "researcher slug" in out and "SPDX licence id" in out
    assert "produced_models: name the model records" in out


def test_update_keeps_what_a_person_wrote(root: Path, logged: Logged) -> None:
    database, run_id = logged.database, logged["test-run"]
    before = _record(root, "experiments/test-run")
    assert main(["import-mlflow", str(database), "--run", run_id, "--slug", "test-run",
                 "--update", "--root", str(root)]) == 0
    after = _record(root, "experiments/test-run")
    for key in ("name", "description", "created_by", "license", "produced_models",
                "resource_utilizations"):
        assert after[key] == before[key], key
    assert after["hyperparameters"]["epochs"] == 3
    assert after["datasets"][0]["split"] == "train"  # merged with the hand-written entry
    text = (root / "experiments/test-run/record.yaml").read_text()
    assert text.startswith(f"# Run fields updated by omh import-mlflow from the MLflow run "
                           f"{run_id}.")


@pytest.mark.parametrize(("arguments", "expected"), [
    (["nowhere/mlruns", "--run", "x"], "nowhere/mlruns: no such file or folder, and not a URL"),
    (["{db}", "--run", "0" * 32], "MLflow says: Run with id=0000"),
    (["{db}", "--experiment", "missing"], "no experiment named 'missing'; the store has: "),
    (["{text}", "--run", "x"], "not a SQLite database; expected an MLflow tracking store"),
    (["{db}", "--run", "x", "--max-steps", "0"], "--max-steps 0: expected 1 or more"),
    (["{db}", "--run", "x", "--workflow", "workflows/none"], "--workflow workflows/none: no such"),
])
def test_bad_input_is_refused_with_what_was_expected(
        root: Path, tmp_path: Path, logged: Logged, capsys: pytest.CaptureFixture[str],
        arguments: list[str], expected: str) -> None:
    database = logged.database
    text = tmp_path / "notes.db"
    text.write_text("not a database")
    arguments = [a.format(db=database, text=text) for a in arguments]
    assert main(["import-mlflow", *arguments, "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert not list((root / "experiments").glob("baseline-run*"))


def test_a_missing_extra_is_named(root: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name in [m for m in sys.modules if m == "mlflow" or m.startswith("mlflow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mlflow", None)
    folder = tmp_path / "mlruns" / "0"
    folder.mkdir(parents=True)
    (folder / "meta.yaml").write_text("name: Default\n")
    assert main(["import-mlflow", str(tmp_path / "mlruns"), "--run", "x",
                 "--root", str(root)]) == 2
    assert 'pip install "open-models-hub[mlflow]"' in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``mlflow server`` on 127.0.0.1 with a SQLite store; skipped when it cannot start."""
    port = _free_port()
    executable = Path(sys.executable).with_name("mlflow")
    if not executable.exists():
        pytest.skip("the mlflow command is not installed")
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [str(executable), "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}",
         "--default-artifact-root", str(tmp_path / "server-artefacts")],
        stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
        env={**os.environ, "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            process.poll()
        if process.returncode is not None or time.monotonic() >= deadline:
            pytest.skip("mlflow server did not start: "
                        + (tmp_path / "server.log").read_text()[-300:])
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@pytest.mark.slow
def test_a_run_on_a_tracking_server(root: Path, server: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_catalogue(tmp_path / "training"))
    run_id = log_run(server, name="served-run")
    assert main(["import-mlflow", server, "--run", run_id, "--root", str(root), *PEOPLE,
                 "--produced-model", "models/test-model"]) == 0
    record = _record(root, "experiments/served-run")
    assert record["hyperparameters"]["learning_rate"] == 0.01
    assert [s["value"] for s in record["metrics"][0]["steps"]] == [0.9, 0.5, 0.3]
    assert record["environment_specification"]["packages"] == ["numpy==2.0.0"]
