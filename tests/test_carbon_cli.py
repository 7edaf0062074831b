"""``omh carbon`` and the carbon findings of ``omh validate``, on catalogues written to disk, and
on the repository's example catalogue."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import findings_for, write_catalogue
from test_carbon import EXPERIMENTS, LINEAGE, PEOPLE, RESOURCES, experiment, measured

from catalogue.derive.carbon_rollup import carbon_report
from catalogue.link.catalogue import link
from catalogue.load.store import RecordStore
from omh.cli import main

REPOSITORY = Path(__file__).resolve().parent.parent


def _line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), start=1)
                if text in line)


@pytest.fixture
def lineage_root(tmp_path: Path) -> Path:
    resources = {k: v for k, v in RESOURCES.items() if k != "resources/nowhere"}
    return write_catalogue(tmp_path, copy.deepcopy({**PEOPLE, **resources, **LINEAGE}))


# -- omh validate --------------------------------------------------------------------------


def test_inconsistent_inputs_are_findings_with_file_and_line(tmp_path: Path) -> None:
    resources: dict[str, Any] = copy.deepcopy(RESOURCES)
    resources["resources/nowhere"]["location"] = {"country": "XX"}
    bad = experiment(
        {"resource": "resources/nowhere", "duration_seconds": 60, "gpu_utilization_percent": 40},
        {"resource": "resources/gpu-box", "duration_seconds": 60, "gpus_used": 8},
        {"resource": "resources/gpu-box", "duration_seconds": 60, "cpu_cores_used": 64},
        {"resource": "resources/hpc-fi", "duration_seconds": 60, "nodes": 100},
        {"resource": "resources/gpu-box", "duration_seconds": 60, "cpu_utilization_percent": 120},
        {"resource": "resources/gpu-box", "duration_seconds": -5},
        {"resource": "resources/workstation", "duration_seconds": 3600,
         **measured(5000, "wattmeter", True)})
    write_catalogue(tmp_path, {**PEOPLE, **resources, "experiments/bad": bad})
    record = tmp_path / "experiments/bad/record.yaml"
    findings = {(f.location.path, f.location.line, f.severity, f.field): f.message
                for f in findings_for(tmp_path)}

    def expect(text: str, field: str, severity: str = "error") -> str:
        key = ("experiments/bad/record.yaml", _line_of(record, text), severity, field)
        assert key in findings, f"no {severity} for {field} at line {key[1]}: {findings}"
        return findings[key]

    units = "resource_utilizations"
    assert "resources/nowhere has no GPU" in expect(
        "gpu_utilization_percent: 40", f"{units}[0].gpu_utilization_percent")
    assert "8 used, but resources/gpu-box has 2 GPU(s)" in expect(
        "gpus_used: 8", f"{units}[1].gpus_used")
    assert "has 16 CPU cores" in expect("cpu_cores_used: 64", f"{units}[2].cpu_cores_used")
    assert "100 nodes, but resources/hpc-fi has 64" in expect("nodes: 100", f"{units}[3].nodes")
    assert "100" in expect("cpu_utilization_percent: 120", f"{units}[4].cpu_utilization_percent")
    assert "0" in expect("duration_seconds: -5", f"{units}[5].duration_seconds")
    assert "check the unit (kWh, not Wh)" in expect(
        "energy_consumption_kwh: 5000", f"{units}[6].energy_consumption_kwh", "warning")
    resource = tmp_path / "resources/nowhere/record.yaml"
    key = ("resources/nowhere/record.yaml", _line_of(resource, "country: XX"), "error",
           "location.country")
    assert "'XX' has no carbon intensity" in findings[key]


def test_consistent_catalogue_has_no_carbon_findings(lineage_root: Path) -> None:
    assert [f for f in findings_for(lineage_root) if f.rule == "carbon-inputs"] == []


def test_band_limits_in_the_wrong_order(lineage_root: Path) -> None:
    (lineage_root / "catalogue.yaml").write_text(
        "title: T\ncarbon:\n  bands:\n    medium_kg: 20\n    high_kg: 10\n", encoding="utf-8")
    [finding] = [f for f in findings_for(lineage_root) if f.rule == "carbon-inputs"]
    assert (finding.location.path, finding.location.line) == ("catalogue.yaml", 3)
    assert "medium_kg (20) is above high_kg (10)" in finding.message


def test_malformed_card_emissions(lineage_root: Path) -> None:
    (lineage_root / "models/base/README.md").write_text(
        "---\nlicense: mit\nco2_eq_emissions: 1.2 kg\n---\n# Base\n", encoding="utf-8")
    [finding] = [f for f in findings_for(lineage_root) if f.rule == "carbon-inputs"]
    assert (finding.location.path, finding.location.line) == ("models/base/README.md", 3)
    assert "expected a number of grams" in finding.message


# -- omh carbon ----------------------------------------------------------------------------


def _table_numbers(out: str) -> tuple[list[list[str]], list[str]]:
    lines = out.splitlines()
    rows = [line.split() for line in lines[2:] if line and not line.startswith(("-", "TOTAL"))
            and line[0] != " " and "=" not in line and ":" not in line]
    total = next(line for line in lines if line.startswith("TOTAL")).split()
    return rows, total


def test_table_totals_are_the_sum_of_the_rows(lineage_root: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["carbon", "--root", str(lineage_root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["EXPERIMENT", "RESOURCE", "HOURS"]
    rows, total = _table_numbers(out)
    assert sorted(r[0] for r in rows) == ["evaluation", "finetune", "pretrain"]
    # Columns: experiment, resource, hours, kWh, kg, kg range, method...
    assert float(total[3]) == pytest.approx(sum(float(r[2]) for r in rows), abs=0.01)
    assert float(total[4]) == pytest.approx(sum(float(r[3]) for r in rows), abs=0.003)
    assert float(total[5]) == pytest.approx(sum(float(r[4]) for r in rows), abs=0.003)
    assert "estimated (wall power)" in out and "measured (scheduler)" in out
    assert "2% of energy estimated" in out and "impact: high" in out


def test_json_summary(lineage_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["carbon", "--root", str(lineage_root), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    rows = summary["utilisations"]
    assert summary["total"]["kg"] == pytest.approx(sum(r["kg"] for r in rows), abs=1e-5)
    assert summary["total"]["runs"] == 3
    assert set(summary["experiments"]) == {"experiments/pretrain", "experiments/finetune",
                                           "experiments/evaluation"}
    assert summary["models"]["models/finetuned"]["hf_co2_eq_emissions"]["emissions"] == 3178.0
    assert summary["defaults"]["pue"] == {
        "value": 1.67,
        "source": "Uptime Institute 2019 global average, via Green Algorithms (defaults_PUE.csv)"}
    assert {s["license"] for s in summary["intensity_table"]["sources"]} == {"CC-BY-4.0",
                                                                               "public-domain"}
    assert set(summary["years"]) == {"2024", "2025"}


def test_selected_records(lineage_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["carbon", "--root", str(lineage_root), "models/finetuned/record.yaml"]) == 0
    rows, _ = _table_numbers(capsys.readouterr().out)
    assert sorted(r[0] for r in rows) == ["finetune", "pretrain"]  # the lineage
    assert main(["carbon", "--root", str(lineage_root), "--json", "researchers/bob"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {r["experiment"] for r in summary["utilisations"]} == {"experiments/finetune",
                                                                   "experiments/evaluation"}
    assert summary["selection"] == ["researchers/bob"]
    assert summary["records"]["researchers/bob"]["kg"] == pytest.approx(summary["total"]["kg"])


def test_unknown_record_is_a_usage_error(lineage_root: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["carbon", "--root", str(lineage_root), "experiments/fine-tune"]) == 2
    err = capsys.readouterr().err
    assert "no record 'experiments/fine-tune'" in err
    assert "did you mean 'experiments/finetune'?" in err


def test_invalid_settings_stop_the_report(lineage_root: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (lineage_root / "catalogue.yaml").write_text("title: T\ncarbon:\n  pue: 0\n")
    assert main(["carbon", "--root", str(lineage_root)]) == 1
    err = capsys.readouterr().err
    assert "catalogue.yaml:3:" in err and "catalogue.yaml is invalid" in err


def test_unusable_utilisation_is_left_out_and_said_so(tmp_path: Path) -> None:
    broken = experiment({"resource": "resources/missing", "duration_seconds": 60},
                        {"resource": "resources/gpu-box", "duration_seconds": "four hours"},
                        {"resource": "resources/gpu-box", "duration_seconds": 3600})
    write_catalogue(tmp_path, copy.deepcopy({**PEOPLE, **RESOURCES, "experiments/x": broken}))
    result = subprocess.run([sys.executable, "-m", "omh.cli", "carbon", "--root",
                             str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    record = tmp_path / "experiments/x/record.yaml"
    assert (f"experiments/x/record.yaml:{_line_of(record, 'resources/missing')}:"
            in result.stderr)
    assert "no resource 'resources/missing'" in result.stderr
    assert (f"experiments/x/record.yaml:{_line_of(record, 'four hours')}:" in result.stderr)
    assert "TOTAL (1 run)" in result.stdout


def test_all_kinds_of_runs_together(tmp_path: Path) -> None:
    write_catalogue(tmp_path, copy.deepcopy({**PEOPLE, **RESOURCES, **EXPERIMENTS}))
    report = carbon_report(link(RecordStore(tmp_path)))
    assert report.skipped == []
    assert report.total.kg == pytest.approx(sum(u.kg for u in report.utilisations))
    assert report.total.kg_low == pytest.approx(sum(u.kg_low for u in report.utilisations))
    measured_kwh = sum(u.kwh for u in report.utilisations if u.measured)
    assert report.total.estimated_share == pytest.approx(1 - measured_kwh / report.total.kwh)


# -- the example catalogue -----------------------------------------------------------------


def test_example_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    store = RecordStore(REPOSITORY)
    report = carbon_report(link(store))
    assert report.skipped == []
    assert report.total.runs == len(report.utilisations) > 0
    assert report.total.kwh == pytest.approx(sum(u.kwh for u in report.utilisations))
    assert report.total.kg == pytest.approx(sum(u.kg for u in report.utilisations))
    for bucket in (report.experiments, report.resources, report.organizations, report.years):
        assert sum(t.kg for t in bucket.values()) == pytest.approx(report.total.kg)

    # The seed prototype's run: 4 h on ML Workstation 01, estimated from its measured wall power.
    [climate] = report.footprints_of(["experiments/climate-detection-training-run"])
    assert climate.resource_id == "resources/ml-workstation-01"
    assert climate.hours == pytest.approx(4)
    assert climate.energy.method == "estimated" and climate.energy.basis == "wall-power"
    assert 0.5 < climate.kwh < 5 and 0.1 < climate.kg < 3  # a workstation, 4 h, German grid
    assert "measured wall power" in climate.explanation and "DE, 2023" in climate.explanation

    finetune = report.models["models/climate-detection-resnet-arctic"]
    assert finetune.lineage[1:] == ["models/climate-detection-resnet"]
    assert finetune.cumulative.kg > finetune.own.kg

    assert main(["carbon", "--root", str(REPOSITORY)]) == 0
    total = next(line for line in capsys.readouterr().out.splitlines()
                 if line.startswith("TOTAL")).split()
    assert float(total[5]) == pytest.approx(report.total.kg, abs=0.001)
