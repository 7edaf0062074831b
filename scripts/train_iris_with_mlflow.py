"""Train the Iris softmax classifier (scripts/build_iris_package.py) and log the run to MLflow:
its parameters, the training loss at every iteration, the accuracies, and the two splits of the
Iris data as MLflow datasets. The package it builds is compared with the committed one, byte
for byte, and nothing is written: the published files never change in place.

Run it inside scripts/capture_run.py (which opens the MLflow run and CodeCarbon's tracker); on
its own it logs to MLflow's default store.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.data.pandas_dataset import from_pandas

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_iris_package as iris


def main() -> int:
    root = iris.ROOT
    data = iris.read_iris(root / iris.DATA)
    training, test = iris.split(data)
    mlflow.log_params({"learning_rate": iris.LEARNING_RATE, "iterations": iris.ITERATIONS,
                       "l2_penalty": iris.L2, "batch_size": len(training.labels)})
    frame = pd.read_csv(root / iris.DATA)
    held_out = frame.index % iris.TEST_EVERY == iris.TEST_EVERY - 1
    source = iris.DATA.as_posix()
    for rows, context, split in ((frame[~held_out], "training", "train"),
                                 (frame[held_out], "test", "test")):
        dataset = from_pandas(rows, source=source, name=f"iris-{split}", targets="species")
        mlflow.log_input(dataset, context=context, tags={"split": split})
    model, losses = iris.train(training)
    run_id = mlflow.active_run().info.run_id  # type: ignore[union-attr]
    now = int(time.time() * 1000)  # (as MLflow stamps a metric)
    mlflow.MlflowClient().log_batch(run_id, metrics=[
        mlflow.entities.Metric("training_loss", loss, now, step)
        for step, loss in enumerate(losses)])
    mlflow.log_metrics({"train_accuracy": iris.accuracy(model, training),
                        "test_accuracy": iris.accuracy(model, test)})
    files, _ = iris.package_files(root)
    problems = iris.differences(files, root / iris.PACKAGE)
    for problem in problems:
        print(f"{iris.PACKAGE}/{problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
