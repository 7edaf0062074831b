"""Opening an MLflow tracking store with MLflow's own client: a local ``mlruns`` folder, a
SQLite ``mlflow.db`` (or any database URI MLflow takes), or a tracking server URL; and picking
the runs to import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from catalogue.importers.extras import require
from catalogue.importers.result import ImportRefused

COMMAND = "omh import-mlflow"
DATABASE_SCHEMES = ("sqlite", "postgresql", "mysql", "mssql")
SERVER_TIMEOUT_SECONDS = "20"


def tracking_uri(location: str) -> str:
    """The MLflow tracking URI for what a person typed: a URL or database URI as it is, a
    ``.db`` file as ``sqlite:///``, a folder as a file store."""
    scheme = urlparse(location).scheme.lower()
    if scheme in ("http", "https"):
        return location.rstrip("/")
    if scheme.split("+")[0] in DATABASE_SCHEMES:
        if scheme == "sqlite":
            database = Path(urlparse(location).path)
            if not database.is_file():
                raise ImportRefused(f"{location}: no such SQLite file ({database}); expected the "
                                    "mlflow.db a run was logged to")
        return location
    if scheme == "file":
        location = urlparse(location).path
    path = Path(location).expanduser()
    if path.is_file():
        with path.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise ImportRefused(f"{path}: not a SQLite database; expected an MLflow tracking "
                                    "store: an mlruns folder, an mlflow.db file, or a server URL")
        return f"sqlite:///{path.resolve()}"
    if path.is_dir():
        if not any(path.glob("*/meta.yaml")):
            raise ImportRefused(f"{path}: not an MLflow file store (no <experiment>/meta.yaml "
                                "inside); expected the mlruns folder MLflow wrote")
        return path.resolve().as_uri()
    raise ImportRefused(f"{location}: no such file or folder, and not a URL; expected an mlruns "
                        "folder, an mlflow.db file, or a tracking server URL such as "
                        "http://127.0.0.1:5000")


def client(uri: str) -> Any:
    """MLflow's client for ``uri``. A file store is read even though MLflow keeps it in
    maintenance mode, and a server that does not answer fails after one try, not minutes of
    retries."""
    if uri.startswith("file:"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", SERVER_TIMEOUT_SECONDS)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    tracking = require("mlflow.tracking", COMMAND)
    return tracking.MlflowClient(tracking_uri=uri)


def mlflow_error(exc: Exception, uri: str) -> ImportRefused:
    """An MLflow failure as a message: the first line of what MLflow said, and the store."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ImportRefused(f"{uri}: MLflow says: {text}")


def select_runs(mlflow_client: Any, uri: str, run_id: str | None,
                experiment: str | None) -> list[Any]:
    """The run ``run_id``, or every finished-or-not run of ``experiment`` (a name or id), oldest
    first."""
    if (run_id is None) == (experiment is None):
        raise ImportRefused("give either --run RUN_ID or --experiment NAME_OR_ID")
    try:
        if run_id is not None:
            return [mlflow_client.get_run(run_id)]
        found = mlflow_client.get_experiment_by_name(experiment)
        if found is None and experiment is not None and experiment.isdigit():
            found = mlflow_client.get_experiment(experiment)
    except ImportRefused:
        raise
    except Exception as exc:
        raise mlflow_error(exc, uri) from None
    if found is None:
        names = _experiment_names(mlflow_client)
        raise ImportRefused(f"{uri}: no experiment named {experiment!r}; the store has: "
                            f"{', '.join(names) or 'no experiments'}")
    runs: list[Any] = []
    token = None
    try:
        while True:
            page = mlflow_client.search_runs([found.experiment_id], max_results=1000,
                                             page_token=token, order_by=["attributes.start_time"])
            runs.extend(page)
            token = page.token
            if not token:
                break
    except Exception as exc:
        raise mlflow_error(exc, uri) from None
    if not runs:
        raise ImportRefused(f"{uri}: the experiment {found.name!r} has no runs")
    return runs


def _experiment_names(mlflow_client: Any) -> list[str]:
    try:
        return [e.name for e in mlflow_client.search_experiments()]
    except Exception:
        return []
