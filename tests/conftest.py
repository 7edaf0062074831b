"""Shared test helpers: build small catalogues on disk from plain dictionaries or raw YAML."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding
from catalogue.pipeline import validate

MINIMAL: dict[str, dict[str, Any]] = {
    "organizations/test-institute": {
        "kind": "organization", "name": "Test Institute", "organization_type": "research-institute",
        "location": {"country": "DE"},
    },
    "researchers/ada-lovelace": {
        "kind": "researcher", "first_name": "Ada", "last_name": "Lovelace",
        "orcid_id": "0000-0002-1825-0097", "affiliations": ["organizations/test-institute"],
    },
    "resources/test-workstation": {
        "kind": "resource", "name": "Test Workstation", "resource_type": "local",
        "cpu_cores": 8, "memory_gb": 32, "gpu_count": 1, "gpu_power_watts": 250,
        "location": {"country": "DE"}, "organization": "organizations/test-institute",
    },
    "datasets/test-data": {
        "kind": "dataset", "name": "Test Data", "version": "1.0.0",
        "description": "Measurements collected for the tests of the catalogue, fifty characters+.",
        "created_at": "2025-01-01", "created_by": ["researchers/ada-lovelace"],
        "organization": "organizations/test-institute", "license": "CC-BY-4.0",
        "access_rights": "public", "format": "csv", "privacy_level": "public",
    },
    "models/test-model": {
        "kind": "model", "name": "Test Model", "version": "1.0.0",
        "description": "A model for the tests.", "created_at": "2025-02-01",
        "created_by": ["researchers/ada-lovelace"], "organization": "organizations/test-institute",
        "license": "MIT", "access_rights": "public", "framework": "pytorch",
        "model_type": "classification", "training_datasets": ["datasets/test-data"],
    },
    "experiments/test-run": {
        "kind": "experiment", "name": "Test Run", "version": "1.0.0",
        "description": "The run that trained the test model.", "created_at": "2025-02-01",
        "created_by": ["researchers/ada-lovelace"], "organization": "organizations/test-institute",
        "license": "MIT", "access_rights": "public", "experiment_type": "training",
        "experiment_status": "completed", "start_time": "2025-01-31T08:00:00Z",
        "end_time": "2025-01-31T12:00:00Z", "duration_seconds": 14400,
        "datasets": [{"dataset": "datasets/test-data", "role": "training", "split": "train"}],
        "produced_models": ["models/test-model"],
        "resource_utilizations": [{"resource": "resources/test-workstation",
                                   "duration_seconds": 14400, "gpu_utilization_percent": 90}],
    },
}

MODEL_CARD = """# Test Model

## What it predicts
Which of two classes a measurement belongs to.

## Intended use
Tests of the catalogue.

## Out-of-scope use
Anything else.

## Limitations
It was trained on very little data.

## Inputs
A float32 tensor of shape (batch, 4), in centimetres, not normalised.

## Outputs
Probabilities over the classes, in this order:

1. first
2. second

## Training data
datasets/test-data.

## How to run
```
python inference.py sample.npy
```

## License
MIT

## Citation
```
@misc{test-model, title={Test Model}}
```
"""

DATASET_CARD = """# Test Data

## Summary
Measurements for tests.

## Collection
Written by hand.

## Structure
One CSV file.

## Privacy and ethics
No personal data.

## License
CC-BY-4.0

## Citation
Test Data (2025).
"""


def minimal_records() -> dict[str, dict[str, Any]]:
    return copy.deepcopy(MINIMAL)


def write_record(root: Path, record_id: str, content: dict[str, Any] | str,
                 card: str | None = "") -> Path:
    """Write ``<root>/<record_id>/record.yaml`` (a dict is dumped as YAML, a str written as is)."""
    folder = root / record_id
    folder.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path = folder / "record.yaml"
    path.write_text(text, encoding="utf-8")
    folder_name = record_id.split("/")[0]
    if card is not None and folder_name in ("models", "datasets"):
        default = MODEL_CARD if folder_name == "models" else DATASET_CARD
        (folder / "README.md").write_text(card or default, encoding="utf-8")
    return path


def write_catalogue(root: Path, records: dict[str, dict[str, Any] | str]) -> Path:
    for record_id, content in records.items():
        write_record(root, record_id, content)
    return root


def findings_for(root: Path, paths: list[Path] | None = None) -> list[Finding]:
    findings, _ = validate(root, paths)
    return findings


def errors_for(root: Path) -> list[Finding]:
    return [f for f in findings_for(root) if f.severity == "error"]


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """A small valid catalogue on disk: one record of each kind."""
    return write_catalogue(tmp_path, dict(minimal_records()))


@pytest.fixture
def store_of() -> Callable[[Path], RecordStore]:
    return RecordStore


def run_in_workers(monkeypatch: pytest.MonkeyPatch, module: Any, name: str,
                   log: Path) -> None:
    """Have ``forked`` fork for any number of items (the example catalogue has fewer than a
    pool is started for), and wrap ``module.name`` so that each call writes the id of the
    process that made it to ``log``: a file, so that a forked worker's calls are seen too."""
    from catalogue.load import forked

    monkeypatch.setattr(forked, "POOL_MINIMUM", 1)
    original = getattr(module, name)

    def noting_where(*args: Any, **kwargs: Any) -> Any:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, noting_where)


def ran_only_in_workers(log: Path) -> bool:
    """Whether the calls ``run_in_workers`` noted were made, in processes other than this."""
    processes = set(log.read_text(encoding="utf-8").split()) if log.exists() else set()
    return bool(processes) and str(os.getpid()) not in processes
