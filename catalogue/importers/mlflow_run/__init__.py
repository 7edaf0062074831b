"""Import MLflow runs as experiment records (``omh import-mlflow``), with MLflow's own client.

From a tracking store (a local ``mlruns`` folder, a SQLite ``mlflow.db``, or a tracking server
URL), a run, or every run of an experiment, becomes an experiment record:

* parameters -> ``hyperparameters`` (typed: ``"0.5"`` is 0.5); the run's own tags ->
  ``config_parameters``;
* metric histories -> ``metrics``: the last value, and every logged point with its step and
  time as ``steps`` (thinned evenly beyond ``--max-steps``), the kind of metric, split and
  direction from the name;
* start and end times, duration, status -> ``start_time``, ``end_time``, ``duration_seconds``,
  ``experiment_status``; the run's note -> ``description``;
* the git commit and repository MLflow recorded -> ``code_commit_hash``,
  ``code_repository_url``; a logged ``python_env.yaml`` / ``requirements.txt`` /
  ``conda.yaml`` -> ``environment_specification``;
* datasets logged with ``mlflow.log_input`` -> ``datasets`` (linked to the catalogue's record
  when the source is one of its files or artefact URLs; role from MLflow's context);
* the run's files -> ``artefacts`` with sha256 and size when copied into the record's folder.

What the run cannot say (who, the organisation, the licence, the models produced) comes from
the command's options or is left as ``<FILL ...>`` placeholders, and everything not mapped is
listed in the notes. With ``update`` the run's fields are written into an existing record and
everything else in it is kept.

MLflow is an optional extra (``pip install "open-models-hub[mlflow]"``); it is imported only
when an import runs.
"""

from __future__ import annotations

from catalogue.importers.mlflow_run.importer import RunOptions, import_runs
from catalogue.importers.mlflow_run.metrics import metric_type, thin

__all__ = ["RunOptions", "import_runs", "metric_type", "thin"]
