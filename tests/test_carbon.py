"""Energy and carbon: each figure checked against arithmetic worked by hand.

Every catalogue here is written to disk as record.yaml files and loaded through RecordStore.
Grid intensities come from catalogue/data/carbon_intensity.csv: DE 380.95 (2023), FI 79.158
(2023), FR 56.039 (2023), US-CA 179.064 (2023) g CO2e/kWh. The intensity range is
+-5 % per year between the table's year and the run's year (at least one year's worth).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from conftest import write_catalogue, write_record

from catalogue.derive.carbon_defaults import above_threshold, band, carbon_defaults
from catalogue.derive.carbon_footprint import UtilisationFootprint
from catalogue.derive.carbon_interop import EmissionsFormatError, parse_co2_eq_emissions
from catalogue.derive.carbon_rollup import CarbonReport, carbon_report
from catalogue.link.catalogue import link
from catalogue.load.store import RecordStore

APPROX = 1e-9

PEOPLE: dict[str, dict[str, Any]] = {
    "organizations/lab": {"kind": "organization", "name": "Lab",
                          "organization_type": "research-institute"},
    "organizations/other-lab": {"kind": "organization", "name": "Other Lab",
                                "organization_type": "university"},
    "researchers/ada": {"kind": "researcher", "first_name": "Ada", "last_name": "Lovelace"},
    "researchers/bob": {"kind": "researcher", "first_name": "Bob", "last_name": "Martinez"},
}

RESOURCES: dict[str, dict[str, Any]] = {
    "resources/hpc-fi": {
        "kind": "resource", "name": "HPC FI", "resource_type": "hpc", "cluster_name": "taiga",
        "total_nodes": 64, "cpu_cores": 128, "cpu_power_watts_per_core": 4.4, "memory_gb": 512,
        "gpu_count": 4, "gpu_power_watts": 400, "pue": 1.1, "location": {"country": "FI"},
    },
    "resources/hpc-no-pue": {
        "kind": "resource", "name": "HPC without PUE", "resource_type": "hpc",
        "cluster_name": "small", "total_nodes": 8, "cpu_cores": 64, "memory_gb": 256,
        "location": {"country": "FI"},
    },
    "resources/cloud-aws": {
        "kind": "resource", "name": "AWS g5", "resource_type": "cloud", "provider": "aws",
        "provider_region": "eu-west-1", "instance_type": "g5.xlarge", "cpu_cores": 4,
        "cpu_power_watts_per_core": 4.5, "memory_gb": 16, "gpu_count": 1,
        "gpu_model": "NVIDIA A10G", "gpu_power_watts": 150, "pue": 1.135,
        "carbon_intensity_gco2_per_kwh": 280, "location": {"country": "IE"},
    },
    "resources/cloud-gcp-cpu": {
        "kind": "resource", "name": "GCP CPU", "resource_type": "cloud", "provider": "gcp",
        "provider_region": "europe-west9", "cpu_cores": 32, "memory_gb": 128,
        "location": {"country": "FR"},
    },
    "resources/gpu-box": {
        "kind": "resource", "name": "GPU box", "resource_type": "local", "cpu_cores": 16,
        "cpu_power_watts_per_core": 10, "memory_gb": 64, "gpu_count": 2,
        "gpu_power_watts": 300, "pue": 1.2, "location": {"country": "DE"},
    },
    "resources/workstation": {
        "kind": "resource", "name": "Workstation", "resource_type": "local", "cpu_cores": 16,
        "cpu_power_watts_per_core": 10, "memory_gb": 64, "gpu_count": 1,
        "gpu_power_watts": 300, "power_consumption_watts": 650, "pue": 1.0,
        "location": {"country": "DE", "city": "Berlin"},
    },
    "resources/nowhere": {
        "kind": "resource", "name": "Somewhere", "resource_type": "local", "cpu_cores": 4,
        "memory_gb": 8,
    },
    "resources/california": {
        "kind": "resource", "name": "Lab in California", "resource_type": "local",
        "cpu_cores": 8, "memory_gb": 16, "location": {"country": "US", "region": "California"},
    },
}


def experiment(*utilisations: dict[str, Any], start: str = "2025-03-01T08:00:00Z",
               **extra: Any) -> dict[str, Any]:
    return {
        "kind": "experiment", "name": "Run", "version": "1.0.0", "description": "A run.",
        "created_at": start[:10], "created_by": ["researchers/ada"],
        "organization": "organizations/lab", "license": "MIT", "access_rights": "public",
        "experiment_type": "training", "experiment_status": "completed", "start_time": start,
        "resource_utilizations": list(utilisations), **extra,
    }


def model(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "model", "name": "Model", "version": "1.0.0", "description": "A model.",
        "created_at": "2025-03-02", "created_by": ["researchers/ada"],
        "organization": "organizations/lab", "license": "MIT", "access_rights": "public",
        "framework": "pytorch", "model_type": "classification", **extra,
    }


def measured(kwh: float, source: str, includes_pue: bool) -> dict[str, Any]:
    return {"energy_consumption_kwh": kwh,
            "energy_measurement": {"source": source, "includes_pue": includes_pue}}


EXPERIMENTS: dict[str, dict[str, Any]] = {
    "experiments/hpc-measured": experiment(
        {"resource": "resources/hpc-fi", "duration_seconds": 6 * 3600, "nodes": 4,
         **measured(120, "scheduler", True)}),
    "experiments/hpc-measured-no-pue": experiment(
        {"resource": "resources/hpc-no-pue", "duration_seconds": 3600,
         **measured(5, "rapl", False)}, start="2023-05-01T00:00:00Z"),
    "experiments/cloud-measured": experiment(
        {"resource": "resources/cloud-aws", "duration_seconds": 48 * 3600,
         **measured(10, "codecarbon", False)}),
    "experiments/cloud-override": experiment(
        {"resource": "resources/cloud-aws", "duration_seconds": 48 * 3600,
         "carbon_intensity_gco2_per_kwh": 100, **measured(10, "codecarbon", False)}),
    "experiments/gpu-estimated": experiment(
        {"resource": "resources/gpu-box", "duration_seconds": 10 * 3600,
         "gpu_utilization_percent": 90, "cpu_utilization_percent": 50},
        start="2023-06-01T00:00:00Z"),
    "experiments/cpu-estimated": experiment(
        {"resource": "resources/cloud-gcp-cpu", "duration_seconds": 5 * 3600,
         "start_time": "2024-02-01T00:00:00Z"}, start="2024-02-01T00:00:00Z"),
    "experiments/hpc-estimated": experiment(
        {"resource": "resources/hpc-fi", "duration_seconds": 12 * 3600, "nodes": 4,
         "gpus_used": 4, "cpu_cores_used": 32, "gpu_utilization_percent": 80,
         "cpu_utilization_percent": 50, "memory_usage_gb": 256},
        start="2023-09-01T00:00:00Z"),
    "experiments/wall-power": experiment(
        {"resource": "resources/workstation", "duration_seconds": 4 * 3600,
         "gpu_utilization_percent": 90, "cpu_utilization_percent": 50}),
    "experiments/world": experiment(
        {"resource": "resources/nowhere", "duration_seconds": 3600}),
    "experiments/region": experiment(
        {"resource": "resources/california", "duration_seconds": 3600,
         **measured(1, "wattmeter", True)}, start="2023-01-01T00:00:00Z"),
}


def build(root: Path, records: dict[str, dict[str, Any]]) -> RecordStore:
    write_catalogue(root, copy.deepcopy({**PEOPLE, **RESOURCES, **records}))
    return RecordStore(root)


@pytest.fixture
def report(tmp_path: Path) -> CarbonReport:
    return carbon_report(link(build(tmp_path, EXPERIMENTS)))


def only(report: CarbonReport, experiment_id: str) -> UtilisationFootprint:
    [footprint] = report.footprints_of([experiment_id])
    return footprint


def test_measured_energy_that_includes_pue_is_used_as_is(report: CarbonReport) -> None:
    run = only(report, "experiments/hpc-measured")
    # The scheduler's 120 kWh already includes the facility's PUE: no PUE on top.
    assert run.energy.method == "measured" and run.energy.pue is None
    assert run.kwh == pytest.approx(120)
    assert (run.energy.low, run.energy.high) == (120, 120)
    # 120 kWh x 79.158 g/kWh (FI, 2023) = 9498.96 g = 9.49896 kg
    assert run.kg == pytest.approx(9.49896, rel=APPROX)
    # The run is in 2025, the figure from 2023: 2 years x 5 % = +-10 % on the intensity.
    assert run.kg_low == pytest.approx(120 * 79.158 * 0.90 / 1000, rel=APPROX)
    assert run.kg_high == pytest.approx(120 * 79.158 * 1.10 / 1000, rel=APPROX)
    assert (run.intensity.basis, run.intensity.area, run.intensity.year) == ("country", "FI",
                                                                              2023)
    assert run.energy.defaults_used == ()


def test_measured_energy_without_pue_gets_the_resource_pue(report: CarbonReport) -> None:
    run = only(report, "experiments/cloud-measured")
    # CodeCarbon measured 10 kWh at the machine; the resource states PUE 1.135:
    # 10 x 1.135 = 11.35 kWh; x 280 g/kWh given by the provider on the resource = 3.178 kg.
    assert run.energy.method == "measured" and run.energy.pue == 1.135
    assert run.kwh == pytest.approx(11.35, rel=APPROX)
    assert run.kg == pytest.approx(3.178, rel=APPROX)
    # Nothing was assumed: stated PUE and a given intensity leave no range.
    assert run.kg_low == pytest.approx(3.178) and run.kg_high == pytest.approx(3.178)
    assert run.intensity.basis == "resource"
    assert "resources/cloud-aws" in run.intensity.source


def test_measured_energy_without_pue_on_a_resource_without_pue(report: CarbonReport) -> None:
    run = only(report, "experiments/hpc-measured-no-pue")
    # No PUE anywhere: the data-centre default 1.67 (+-20 %: 1.336 to 2.004).
    # 5 kWh x 1.67 = 8.35 kWh; x 79.158 (FI 2023, run 2023: +-5 %) = 0.6609693 kg
    assert run.kwh == pytest.approx(8.35, rel=APPROX)
    assert (run.energy.low, run.energy.high) == pytest.approx((5 * 1.336, 5 * 2.004))
    assert run.kg == pytest.approx(0.6609693, rel=APPROX)
    assert run.kg_low == pytest.approx(5 * 1.336 * 79.158 * 0.95 / 1000, rel=APPROX)
    assert run.kg_high == pytest.approx(5 * 2.004 * 79.158 * 1.05 / 1000, rel=APPROX)
    assert run.energy.defaults_used == ("pue",)


def test_intensity_on_the_utilisation_wins(report: CarbonReport) -> None:
    run = only(report, "experiments/cloud-override")
    # 11.35 kWh x 100 g/kWh (given for this run, not the resource's 280) = 1.135 kg
    assert run.kg == pytest.approx(1.135, rel=APPROX)
    assert run.intensity.basis == "utilisation"


def test_estimated_gpu_run(report: CarbonReport) -> None:
    run = only(report, "experiments/gpu-estimated")
    # Per node: 2 GPU x 300 W x 90 % = 540 W; 16 cores x 10 W x 50 % = 80 W;
    # 64 GB x 0.3725 W = 23.84 W; total 643.84 W.
    # 10 h x 643.84 W x PUE 1.2 / 1000 = 7.72608 kWh; x 380.95 g/kWh (DE 2023) = 2.94325 kg
    assert run.energy.method == "estimated" and run.energy.basis == "component-power"
    assert run.kwh == pytest.approx(7.72608, rel=APPROX)
    assert run.kg == pytest.approx(7.72608 * 380.95 / 1000, rel=APPROX)
    # Utilisation +-10 points: low 80 % / 40 % -> 480 + 64 + 23.84 = 567.84 W -> 6.81408 kWh;
    # high 100 % / 60 % -> 600 + 96 + 23.84 = 719.84 W -> 8.63808 kWh. Intensity +-5 %.
    assert (run.energy.low, run.energy.high) == pytest.approx((6.81408, 8.63808))
    assert run.kg_low == pytest.approx(6.81408 * 380.95 * 0.95 / 1000, rel=APPROX)
    assert run.kg_high == pytest.approx(8.63808 * 380.95 * 1.05 / 1000, rel=APPROX)
    assert run.energy.defaults_used == ("memory_power_watts_per_gb",)
    assert run.energy.inputs["gpus"] == 2 and run.energy.inputs["gpu_power_watts"] == 300
    assert "2 GPU x 300 W x 90 %" in run.energy.formula


def test_estimated_cpu_only_run_with_defaults(report: CarbonReport) -> None:
    run = only(report, "experiments/cpu-estimated")
    # No GPU; 32 cores at the default 12 W, utilisation not recorded -> 100 % (range from 50 %);
    # 128 GB x 0.3725 W = 47.68 W. GCP's fleet PUE 1.11 (+-20 %, low end clipped to 1.0).
    # 5 h x (384 + 47.68) W x 1.11 / 1000 = 2.395824 kWh; x 56.039 (FR 2023) = 0.134259 kg
    assert run.kwh == pytest.approx(2.395824, rel=APPROX)
    assert run.kg == pytest.approx(2.395824 * 56.039 / 1000, rel=APPROX)
    # low: 5 h x (32 x 12 x 50 % + 47.68) W x 1.0 = 1.1984 kWh
    # high: 5 h x 431.68 W x 1.332 = 2.8749888 kWh; run 2024 vs table 2023: +-5 %
    assert (run.energy.low, run.energy.high) == pytest.approx((1.1984, 2.8749888))
    assert run.kg_high == pytest.approx(2.8749888 * 56.039 * 1.05 / 1000, rel=APPROX)
    assert set(run.energy.defaults_used) == {"pue_by_provider", "cpu_power_watts_per_core",
                                             "cpu_utilization_percent",
                                             "memory_power_watts_per_gb"}
    assert "gpus" not in run.energy.inputs


def test_estimated_hpc_multi_node_run(report: CarbonReport) -> None:
    run = only(report, "experiments/hpc-estimated")
    # Per node: 4 GPU x 400 W x 80 % = 1280 W; 32 cores x 4.4 W x 50 % = 70.4 W;
    # 256 GB x 0.3725 W = 95.36 W; total 1445.76 W per node.
    # 12 h x 4 nodes x 1445.76 W x PUE 1.1 / 1000 = 76.336128 kWh
    # x 79.158 g/kWh (FI 2023) = 6.042615 kg
    assert run.kwh == pytest.approx(76.336128, rel=APPROX)
    assert run.kg == pytest.approx(76.336128 * 79.158 / 1000, rel=APPROX)
    assert run.energy.inputs["nodes"] == 4
    assert run.hardware == "4 nodes x (4 x GPU + 32 CPU cores)"
    assert "12 h x 4 nodes" in run.energy.formula


def test_local_wall_power(report: CarbonReport) -> None:
    run = only(report, "experiments/wall-power")
    # 650 W measured at the wall x 4 h x PUE 1.0 = 2.6 kWh; x 380.95 (DE 2023) = 0.99047 kg
    assert run.energy.basis == "wall-power" and run.energy.method == "estimated"
    assert run.kwh == pytest.approx(2.6) and run.kg == pytest.approx(0.99047, rel=APPROX)
    # Full load bounds it above; the components at the recorded utilisation -10 points bound it
    # below: 4 h x (300 x 80 % + 16 x 10 x 40 % + 64 x 0.3725) W = 1.31136 kWh.
    assert (run.energy.low, run.energy.high) == pytest.approx((1.31136, 2.6))
    # Run in 2025, figure from 2023: +-10 % on the intensity.
    assert run.kg_low == pytest.approx(1.31136 * 380.95 * 0.9 / 1000, rel=APPROX)
    assert run.kg_high == pytest.approx(2.6 * 380.95 * 1.1 / 1000, rel=APPROX)
    assert "650 W (measured wall power)" in run.explanation


def test_unknown_location_uses_the_world_average(report: CarbonReport) -> None:
    run = only(report, "experiments/world")
    # 4 cores x 12 W + 8 GB x 0.3725 W = 50.98 W; 1 h; local PUE 1.0 -> 0.05098 kWh
    # x 475 g/kWh (world) = 0.0242155 kg, intensity +-50 %.
    assert run.kwh == pytest.approx(0.05098, rel=APPROX)
    assert run.kg == pytest.approx(0.0242155, rel=APPROX)
    assert run.intensity.basis == "world-default"
    assert (run.intensity.low, run.intensity.high) == pytest.approx((237.5, 712.5))


def test_region_figure_beats_the_country(report: CarbonReport) -> None:
    run = only(report, "experiments/region")
    # 1 kWh (PUE included) x 179.064 g/kWh (US-CA, EPA eGRID 2023) = 0.179064 kg
    assert run.kg == pytest.approx(0.179064, rel=APPROX)
    assert (run.intensity.basis, run.intensity.area) == ("region", "US-CA")
    assert "eGRID" in run.intensity.source and run.intensity.license == "public-domain"


def test_every_figure_says_how_it_was_obtained(report: CarbonReport) -> None:
    for footprint in report.utilisations:
        row = footprint.as_json()
        assert row["method"] in ("measured", "estimated")
        assert row["formula"] and row["explanation"] and row["pue_source"]
        assert row["intensity"]["source"]
        assert row["kg_low"] <= row["kg"] <= row["kg_high"]
        assert row["file"] == f"{footprint.experiment_id}/record.yaml" and row["line"] > 1


# -- roll-ups ------------------------------------------------------------------------------

LINEAGE: dict[str, dict[str, Any]] = {
    "models/base": model(),
    "models/finetuned": model(base_model="models/base"),
    "experiments/pretrain": experiment(
        {"resource": "resources/workstation", "duration_seconds": 4 * 3600},
        start="2024-11-01T00:00:00Z", produced_models=["models/base"]),
    "experiments/finetune": experiment(
        {"resource": "resources/cloud-aws", "duration_seconds": 48 * 3600,
         **measured(10, "codecarbon", False)},
        base_model="models/base", produced_models=["models/finetuned"],
        created_by=["researchers/ada", "researchers/bob"], organization="organizations/other-lab",
        experiment_type="fine-tuning"),
    "experiments/evaluation": experiment(
        {"resource": "resources/hpc-fi", "duration_seconds": 6 * 3600, "nodes": 4,
         **measured(120, "scheduler", True)},
        created_by=["researchers/bob"], experiment_type="evaluation"),
}


@pytest.fixture
def lineage(tmp_path: Path) -> CarbonReport:
    return carbon_report(link(build(tmp_path, LINEAGE)))


def test_rollups_add_up(lineage: CarbonReport) -> None:
    pretrain = 2.6 * 380.95 / 1000  # wall power, 0.99047 kg
    finetune = 11.35 * 280 / 1000  # 3.178 kg
    evaluation = 120 * 79.158 / 1000  # 9.49896 kg
    total = lineage.total
    assert total.kg == pytest.approx(pretrain + finetune + evaluation, rel=APPROX)
    assert total.kwh == pytest.approx(2.6 + 11.35 + 120, rel=APPROX)
    assert total.runs == 3 and total.hours == pytest.approx(4 + 48 + 6)
    # Only the 2.6 kWh of the pre-training run were estimated.
    assert total.estimated_share == pytest.approx(2.6 / 133.95, rel=APPROX)
    assert total.kg_low <= total.kg <= total.kg_high
    for bucket in (lineage.experiments, lineage.resources, lineage.organizations, lineage.years):
        assert sum(t.kg for t in bucket.values()) == pytest.approx(total.kg, rel=APPROX)
        assert sum(t.kwh for t in bucket.values()) == pytest.approx(total.kwh, rel=APPROX)
    assert lineage.organizations["organizations/lab"].kg == pytest.approx(pretrain + evaluation)
    assert lineage.organizations["organizations/other-lab"].kg == pytest.approx(finetune)
    assert lineage.years["2024"].kg == pytest.approx(pretrain)
    assert lineage.years["2025"].kg == pytest.approx(finetune + evaluation)
    # A shared experiment counts for each of its researchers.
    assert lineage.researchers["researchers/ada"].kg == pytest.approx(pretrain + finetune)
    assert lineage.researchers["researchers/bob"].kg == pytest.approx(finetune + evaluation)


def test_model_footprint_follows_base_model_lineage(lineage: CarbonReport) -> None:
    finetuned = lineage.models["models/finetuned"]
    assert finetuned.experiments == ["experiments/finetune"]
    assert finetuned.lineage == ["models/finetuned", "models/base"]
    assert finetuned.own.kg == pytest.approx(3.178, rel=APPROX)
    # The fine-tune carries its parent's pre-training too: 3.178 + 0.99047 kg.
    assert finetuned.cumulative.kg == pytest.approx(3.178 + 0.99047, rel=APPROX)
    base = lineage.models["models/base"]
    assert base.own.kg == pytest.approx(base.cumulative.kg) == pytest.approx(0.99047)
    summary = lineage.to_json()
    assert summary["models"]["models/finetuned"]["cumulative"]["runs"] == 2


def test_hugging_face_export(lineage: CarbonReport) -> None:
    exported = lineage.hf_co2_eq_emissions("models/finetuned")
    assert exported is not None
    assert exported["emissions"] == pytest.approx(3178.0)  # grams
    assert exported["training_type"] == "fine-tuning"
    assert exported["geographical_location"] == "aws eu-west-1 (IE)"
    assert exported["hardware_used"] == "g5.xlarge: 1 x NVIDIA A10G + 4 CPU cores"
    assert "measured" in exported["source"]
    base = lineage.hf_co2_eq_emissions("models/base")
    assert base is not None and base["training_type"] == "pre-training"
    assert base["emissions"] == pytest.approx(990.5)
    assert parse_co2_eq_emissions(exported).grams == pytest.approx(3178.0)


# -- thresholds and settings ---------------------------------------------------------------


def test_bands_and_threshold_defaults() -> None:
    assert [band(kg) for kg in (0.0, 0.99, 1.0, 4.99, 5.0, 12.5)] == [
        "low", "low", "medium", "medium", "high", "high"]
    assert above_threshold(12.5) and not above_threshold(5.0)


def test_settings_override_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "catalogue.yaml").write_text(
        "title: T\ncarbon:\n  pue: 1.5\n  gpu_power_watts: 250\n  threshold_kg: 10\n"
        "  bands:\n    medium_kg: 2\n    high_kg: 10\n", encoding="utf-8")
    store = build(tmp_path, {"experiments/hpc-measured-no-pue":
                             EXPERIMENTS["experiments/hpc-measured-no-pue"]})
    assert store.settings_findings == []
    defaults = carbon_defaults(store.settings)
    assert (defaults.pue, defaults.gpu_power_watts, defaults.threshold_kg) == (1.5, 250, 10)
    assert "catalogue.yaml" in defaults.source("pue")
    assert "Green Algorithms" in defaults.source("memory_power_watts_per_gb")
    assert band(5, store.settings) == "medium" and not above_threshold(9, store.settings)
    run = only(carbon_report(link(store)), "experiments/hpc-measured-no-pue")
    assert run.kwh == pytest.approx(5 * 1.5)  # the overridden PUE


def test_invalid_carbon_settings_are_refused(tmp_path: Path) -> None:
    (tmp_path / "catalogue.yaml").write_text("title: T\ncarbon:\n  pue: 0.5\n  pue_typo: 1\n",
                                             encoding="utf-8")
    findings = RecordStore(tmp_path).settings_findings
    assert {f.field for f in findings} == {"carbon.pue", "carbon.pue_typo"}
    assert all(f.location.path == "catalogue.yaml" and f.location.line > 1 for f in findings)


# -- Hugging Face co2_eq_emissions ----------------------------------------------------------


def test_parse_hugging_face_forms() -> None:
    assert parse_co2_eq_emissions(1200).grams == 1200.0
    full = parse_co2_eq_emissions({"emissions": 149.2, "source": "CodeCarbon",
                                   "training_type": "fine-tuning",
                                   "geographical_location": "Helsinki, Finland",
                                   "hardware_used": "1 x A100"})
    assert full.kg == pytest.approx(0.1492) and full.source == "CodeCarbon"
    for bad, expected in (("1.2 kg", "expected a number of grams"),
                          (-3, ">= 0"), (True, "number of grams"),
                          ({"source": "x"}, "missing 'emissions'"),
                          ({"emissions": 1, "unit": "kg"}, "unknown key(s) unit"),
                          ({"emissions": 1, "training_type": "training"}, "pre-training")):
        with pytest.raises(EmissionsFormatError, match=expected.replace("(", r"\(")
                           .replace(")", r"\)")):
            parse_co2_eq_emissions(bad)


def test_model_card_emissions_are_imported_as_reported(tmp_path: Path) -> None:
    write_record(tmp_path, "models/from-hub", model(), card=(
        "---\nlicense: mit\nco2_eq_emissions:\n  emissions: 5400\n  source: CodeCarbon\n"
        "---\n# From the Hub\n"))
    report = carbon_report(link(build(tmp_path, {})))
    reported = report.models["models/from-hub"].reported
    assert reported is not None and reported.reported is not None
    assert reported.reported.grams == 5400 and reported.line == 3
    entry = report.to_json()["models"]["models/from-hub"]
    assert entry["reported"]["kg"] == pytest.approx(5.4)
    assert entry["own"]["runs"] == 0 and report.total.runs == 0  # never mixed into our totals


def test_a_card_whose_emissions_cannot_be_read_is_an_error_in_every_run(tmp_path: Path) -> None:
    """The card's ``co2_eq_emissions`` is checked with the record's own folder: a run over the
    whole catalogue that keeps the folder's findings (``findings_memo``) reports it again
    without reading the card, and reports nothing once the card is fixed."""
    from catalogue.pipeline import validate

    root = write_catalogue(tmp_path / "hub", {})
    card = root / "models/from-hub/README.md"
    write_record(root, "models/from-hub", model(), card=(
        "---\nlicense: mit\nco2_eq_emissions:\n  emissions: lots\n---\n# From the Hub\n"))

    def run() -> tuple[list[str], int]:
        store = RecordStore(root, keep_records=True)
        findings, _ = validate(root, store=store)
        store.save()
        assert store.record_cache is not None
        return ([f"{f.location.path}:{f.location.line} {f.message}" for f in findings
                 if f.rule == "carbon-inputs"], store.record_cache.card_hits)

    first, _ = run()
    assert len(first) == 1 and first[0].startswith("models/from-hub/README.md:3 ")
    assert "Hugging Face form" in first[0]
    assert run() == (first, 0)  # kept with the folder's findings: the card is not read
    card.write_text("---\nlicense: mit\nco2_eq_emissions: 5400\n---\n# From the Hub\n",
                    encoding="utf-8")
    assert run()[0] == []
