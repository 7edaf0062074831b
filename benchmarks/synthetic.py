"""Generate a synthetic catalogue of N records with a realistic shape, for every benchmark.

Every kind is present in proportions like a real group's catalogue; records refer to each other
(creators, organisations, training data, base models, the workflows experiments ran, version
chains, resource usage) and models, datasets and workflows carry cards. Output is deterministic
for a given N and seed.

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

from catalogue.model.kinds import KINDS

SHARES = {"organizations": 0.02, "researchers": 0.08, "resources": 0.02,
          "datasets": 0.3, "models": 0.3, "workflows": 0.04, "experiments": 0.24}
TOPICS = ["climate", "sea-ice", "crop-yield", "wildfire", "flood", "air-quality", "protein",
          "galaxy", "particle-jet", "speech", "retina", "traffic", "solar", "wind", "soil"]
FRAMEWORKS = ["pytorch", "tensorflow", "jax", "scikit-learn", "xgboost", "onnx"]
MODEL_TYPES = ["classification", "regression", "segmentation", "object-detection",
               "time-series-forecasting", "embedding"]
FORMATS = ["csv", "parquet", "hdf5", "netcdf", "image-folder", "jsonl", "zarr"]
LICENSES = ["MIT", "Apache-2.0", "CC-BY-4.0", "CC0-1.0", "BSD-3-Clause"]
START = datetime(2025, 3, 1, 8, tzinfo=UTC)
ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"
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

WORKFLOW_CARD = """# {name}

## What it does
Trains {topic} models from the catalogue's datasets and exports them to ONNX.

## Inputs and outputs
Reads a table of features and labels; writes model.onnx and a metrics file.

## Environment
The container image of the record, pinned by its digest.

## How to run
```
python train.py --config configs/{slug}.yaml
```

## Limitations
Needs one GPU; the configuration is tuned for the benchmark's data.

## License
{license}

## Citation
{name} (2025). Open Models Hub.
"""


def _counts(total: int) -> dict[str, int]:
    counts = {kind: max(2, round(total * share)) for kind, share in SHARES.items()}
    counts["experiments"] += total - sum(counts.values())
    return counts


def _asset(rng: random.Random, kind: str, word: str, i: int, researchers: list[str],
           organizations: list[str]) -> tuple[str, str, dict[str, Any]]:
    """The topic, id and shared fields of the ``i``-th asset of a kind (``word``: data, model,
    run)."""
    topic = TOPICS[i % len(TOPICS)]
    name = f"{topic.title()} {word} {i}"
    return topic, KINDS[kind].record_id(f"{topic}-{word}-{i}"), {
        "kind": kind,
        "name": name,
        "description": f"{name}: a {topic} asset generated for benchmarks, with enough words "
                       "to be a realistic description for search and for crawlers.",
        "version": "1.0.0",
        "created_at": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
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
        topic, record_id, record = _asset(rng, "dataset", "data", i, people, orgs)
        record |= {"format": rng.choice(FORMATS), "privacy_level": "public",
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
        topic, record_id, record = _asset(rng, "model", "model", i, people, orgs)
        record |= {"framework": rng.choice(FRAMEWORKS), "model_type": rng.choice(MODEL_TYPES),
                   "class_labels": ["negative", "positive"]}
        models.append(record_id)
        records[record_id] = record
        cards[record_id] = MODEL_CARD.format(name=record["name"], topic=topic,
                                             slug=record_id.split("/")[1],
                                             license=record["license"])
    workflows: list[str] = []
    for i in range(counts["workflows"]):
        topic, record_id, record = _asset(rng, "workflow", "training", i, people, orgs)
        slug = record_id.split("/")[1]
        record |= {"workflow_type": "training",
                   "code_repository_url": f"https://git.example.org/{topic}/training",
                   "code_commit_hash": f"{rng.getrandbits(160):040x}",
                   "programming_language": "Python",
                   "entrypoint": f"python train.py --config configs/{slug}.yaml",
                   "environment_specification": {
                       "container_image": f"registry.example.org/{topic}/train:1.{i}",
                       "container_digest": f"sha256:{rng.getrandbits(256):064x}"},
                   "inputs": [{"name": "training table", "format": "Parquet"}],
                   "outputs": [{"name": "model", "format": "ONNX"}]}
        if workflows and i % 3 == 2:  # every third workflow is a new version of the one before
            record["parent_version"] = workflows[-1]
            record["version"] = "1.1.0"
            record["created_at"] = "2025-12-31"
        records[record_id] = record
        cards[record_id] = WORKFLOW_CARD.format(name=record["name"], topic=topic, slug=slug,
                                                license=record["license"])
        workflows.append(record_id)
    for i in range(counts["experiments"]):
        _, record_id, experiment = _asset(rng, "experiment", "run", i, people, orgs)
        model_id = models[i % len(models)]
        dataset_id = rng.choice(datasets)
        model = records[model_id]
        model.setdefault("training_datasets", [])
        if dataset_id not in model["training_datasets"]:
            model["training_datasets"].append(dataset_id)
        hours = rng.randrange(1, 48)
        experiment |= {
            "experiment_type": "training", "experiment_status": "completed",
            "workflow": workflows[i % len(workflows)],
            "start_time": START.strftime(ISO_UTC),
            "end_time": (START + timedelta(hours=hours)).strftime(ISO_UTC),
            "duration_seconds": hours * 3600,
            "hyperparameters": {"learning_rate": rng.choice([0.0001, 0.0003, 0.001, 0.003]),
                                "batch_size": rng.choice([32, 64, 128]), "epochs": 20},
            "metrics": [{"name": "test_accuracy", "metric_type": "accuracy", "split": "test",
                         "value": round(rng.uniform(0.6, 0.99), 4)}],
            "datasets": [{"dataset": dataset_id, "role": "training", "split": "train"}],
            "resource_utilizations": [{"resource": rng.choice(resources),
                                       "duration_seconds": hours * 3600,
                                       "gpu_utilization_percent": rng.randrange(30, 100),
                                       "cpu_utilization_percent": rng.randrange(10, 100)}],
        }
        if i < len(models):
            experiment["produced_models"] = [model_id]
            # Every model is also scored on one of five shared benchmark datasets, so that
            # the leaderboards grow with the catalogue.
            model |= {"task": f"{model['model_type']}", "evaluations": [
                {"metric": "accuracy", "value": experiment["metrics"][0]["value"],
                 "dataset": datasets[i % min(5, len(datasets))], "split": "test"}]}
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
