"""Generate a synthetic catalogue of N records with a realistic shape, for every benchmark.

Every kind is present in proportions like a real group's catalogue; records refer to each other
(creators, organisations, training data, base models, version chains, resource usage) and
models and datasets carry cards. Output is deterministic for a given N and seed.

    python benchmarks/synthetic.py 1000 /tmp/catalogue-1k
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

SHARES = {"organizations": 0.02, "researchers": 0.08, "resources": 0.02,
          "datasets": 0.3, "models": 0.3, "experiments": 0.28}
TOPICS = ["climate", "sea-ice", "crop-yield", "wildfire", "flood", "air-quality", "protein",
          "galaxy", "particle-jet", "speech", "retina", "traffic", "solar", "wind", "soil"]
FRAMEWORKS = ["pytorch", "tensorflow", "jax", "scikit-learn", "xgboost", "onnx"]
MODEL_TYPES = ["classification", "regression", "segmentation", "object-detection",
               "time-series-forecasting", "embedding"]
FORMATS = ["csv", "parquet", "hdf5", "netcdf", "image-folder", "jsonl", "zarr"]
LICENSES = ["MIT", "Apache-2.0", "CC-BY-4.0", "CC0-1.0", "BSD-3-Clause"]
START = datetime(2025, 3, 1, 8, tzinfo=UTC)
COUNTRIES = ["DE", "FR", "FI", "IE", "US", "NO", "IT", "ES", "NL", "SE"]

MODEL_CARD = """# {name}

## What it predicts
{name} predicts {topic} outcomes from preprocessed inputs; see the record for the schema.

## Intended use
Research on {topic}, benchmarking and teaching.

## Out-of-scope use
Operational decisions without local validation.

## Limitations
Trained on a single region and period; accuracy drops outside them.

## Inputs
A float32 tensor of shape (batch, 16), standardised with the training set's mean and deviation.

## Outputs
Scores for the classes, in this order:

1. negative
2. positive

## Training data
See the training datasets listed in the record.

## How to run
```
python inference.py --model model.onnx --input sample.npy
```

## License
{license}

## Citation
```
@misc{{{slug}, title={{{name}}}, year={{2025}}}}
```
"""

DATASET_CARD = """# {name}

## Summary
{name} gathers {topic} observations for machine-learning research.

## Collection
Collected from public instruments and archives, then cleaned and de-duplicated.

## Structure
One table per year; columns as listed in the record.

## Privacy and ethics
No personal data.

## License
{license}

## Citation
{name} (2025). Open Models Hub.
"""


def _counts(total: int) -> dict[str, int]:
    counts = {kind: max(2, round(total * share)) for kind, share in SHARES.items()}
    counts["experiments"] += total - sum(counts.values())
    return counts


def _asset(rng: random.Random, name: str, slug: str, day: int, researchers: list[str],
           organizations: list[str]) -> dict[str, Any]:
    topic = slug.split("-")[0]
    return {
        "name": name,
        "description": f"{name}: a {topic} asset generated for benchmarks, with enough words "
                       "to be a realistic description for search and for crawlers.",
        "version": "1.0.0",
        "created_at": f"2024-{1 + day % 12:02d}-{1 + day % 28:02d}",
        "created_by": rng.sample(researchers, k=min(2, len(researchers))),
        "organization": rng.choice(organizations),
        "license": rng.choice(LICENSES),
        "subjects": [topic, "machine learning"],
        "access_rights": "public",
    }


def generate(root: Path, total: int, seed: int = 7) -> dict[str, int]:
    """Write a catalogue of about ``total`` records under ``root`` (replacing what is there)."""
    rng = random.Random(seed)
    counts = _counts(total)
    records: dict[str, dict[str, Any]] = {}
    cards: dict[str, str] = {}
    orgs = [f"organizations/org-{i}" for i in range(counts["organizations"])]
    for i, record_id in enumerate(orgs):
        records[record_id] = {"kind": "organization", "name": f"Institute {i}",
                              "organization_type": "research-institute",
                              "location": {"country": COUNTRIES[i % len(COUNTRIES)]}}
    people = [f"researchers/person-{i}" for i in range(counts["researchers"])]
    for i, record_id in enumerate(people):
        records[record_id] = {"kind": "researcher", "first_name": f"Given{i}",
                              "last_name": f"Family{i}", "affiliations": [rng.choice(orgs)]}
    resources = [f"resources/machine-{i}" for i in range(counts["resources"])]
    for i, record_id in enumerate(resources):
        records[record_id] = {"kind": "resource", "name": f"Machine {i}", "resource_type": "local",
                              "cpu_cores": 32, "memory_gb": 128, "gpu_count": 2,
                              "gpu_model": "NVIDIA A100", "gpu_power_watts": 300,
                              "location": {"country": COUNTRIES[i % len(COUNTRIES)]},
                              "organization": rng.choice(orgs)}
    datasets: list[str] = []
    for i in range(counts["datasets"]):
        topic = TOPICS[i % len(TOPICS)]
        slug = f"{topic}-data-{i}"
        record_id = f"datasets/{slug}"
        record = {"kind": "dataset", **_asset(rng, f"{topic.title()} data {i}", slug, i, people,
                                              orgs),
                  "format": rng.choice(FORMATS), "privacy_level": "public",
                  "num_records": rng.randrange(1000, 10**7),
                  "columns": [{"name": f"feature_{c}", "data_type": "float"} for c in range(6)]
                  + [{"name": "label", "data_type": "category", "role": "target"}]}
        if datasets and i % 5 == 4:  # every fifth dataset is a new version of the one before
            record["parent_version"] = datasets[-1]
            record["version"] = "2.0.0"
            record["created_at"] = "2025-12-31"
        records[record_id] = record
        cards[record_id] = DATASET_CARD.format(name=record["name"], topic=topic,
                                               license=record["license"])
        datasets.append(record_id)
    models: list[str] = []
    for i in range(counts["models"]):
        topic = TOPICS[i % len(TOPICS)]
        slug = f"{topic}-model-{i}"
        record_id = f"models/{slug}"
        record = {"kind": "model", **_asset(rng, f"{topic.title()} model {i}", slug, i, people,
                                            orgs),
                  "framework": rng.choice(FRAMEWORKS), "model_type": rng.choice(MODEL_TYPES),
                  "class_labels": ["negative", "positive"]}
        models.append(record_id)
        records[record_id] = record
        cards[record_id] = MODEL_CARD.format(name=record["name"], topic=topic, slug=slug,
                                             license=record["license"])
    for i in range(counts["experiments"]):
        topic = TOPICS[i % len(TOPICS)]
        slug = f"{topic}-run-{i}"
        record_id = f"experiments/{slug}"
        model_id = models[i % len(models)]
        dataset_id = rng.choice(datasets)
        model = records[model_id]
        model.setdefault("training_datasets", [])
        if dataset_id not in model["training_datasets"]:
            model["training_datasets"].append(dataset_id)
        hours = rng.randrange(1, 48)
        experiment: dict[str, Any] = {
            "kind": "experiment", **_asset(rng, f"{topic.title()} run {i}", slug, i, people, orgs),
            "experiment_type": "training", "experiment_status": "completed",
            "start_time": "2025-03-01T08:00:00Z",
            "end_time": (START + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_seconds": hours * 3600,
            "hyperparameters": {"learning_rate": 0.001, "batch_size": 64, "epochs": 20},
            "datasets": [{"dataset": dataset_id, "role": "training", "split": "train"}],
            "resource_utilizations": [{"resource": rng.choice(resources),
                                       "duration_seconds": hours * 3600,
                                       "gpu_utilization_percent": rng.randrange(30, 100),
                                       "cpu_utilization_percent": rng.randrange(10, 100)}],
        }
        if i < len(models):
            experiment["produced_models"] = [model_id]
        records[record_id] = experiment
    for i, model_id in enumerate(models):  # a quarter of the models fine-tune an earlier one
        if i and i % 4 == 0:
            records[model_id]["base_model"] = models[i - 1]
    if root.exists():
        shutil.rmtree(root)
    for record_id, record in records.items():
        folder = root / record_id
        folder.mkdir(parents=True)
        (folder / "record.yaml").write_text(yaml.safe_dump(record, sort_keys=False))
        if record_id in cards:
            (folder / "README.md").write_text(cards[record_id])
    (root / "catalogue.yaml").write_text(
        "title: Synthetic catalogue\nsite_url: https://example.org/\n")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("total", type=int)
    parser.add_argument("root", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(generate(args.root, args.total, args.seed))


if __name__ == "__main__":
    main()
