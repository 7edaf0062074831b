"""``omh import-codecarbon``: an emissions.csv written by CodeCarbon's own OfflineEmissionsTracker
(offline, no network, bounded in time) becomes measured energy in an experiment."""

from __future__ import annotations

import contextlib
import csv
import re
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import minimal_records, write_catalogue

from catalogue.derive.carbon_rollup import carbon_report
from catalogue.link.catalogue import link
from catalogue.load.store import RecordStore
from omh.cli import main

codecarbon = pytest.importorskip("codecarbon")
np = pytest.importorskip("numpy")

TRACKER_SECONDS = 90


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"CodeCarbon's tracker took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """Any connection the tracker tries beyond 127.0.0.1 fails the test."""
    real = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else str(address)
        if not str(host).startswith(("127.", "::1", "/")):
            raise AssertionError(f"CodeCarbon tried to reach {address}")
        real(self, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        yield


@pytest.fixture(scope="module")
def emissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """emissions.csv with two rows: two tracked runs of a small computation."""
    folder = tmp_path_factory.mktemp("codecarbon")
    with time_limit(TRACKER_SECONDS), loopback_only():
        for project in ("first", "second"):
            tracker = codecarbon.OfflineEmissionsTracker(
                country_iso_code="DEU", output_dir=str(folder), project_name=project,
                measure_power_secs=1, tracking_mode="process", log_level="error",
                output_methods=[codecarbon.OutputMethod.CSV], allow_multiple_runs=True)
            tracker.start()
            matrix = np.linspace(0.0, 1.0, 40_000).reshape(200, 200)
            for _ in range(20):
                matrix = matrix @ matrix.T
                matrix /= matrix.max()
            tracker.stop()
    return folder / "emissions.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_catalogue(tmp_path / "catalogue", dict(minimal_records()))


def _record(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (root / "experiments/test-run/record.yaml").read_text(encoding="utf-8"))
    return data


def _import(root: Path, path: Path, *extra: str) -> int:
    return main(["import-codecarbon", str(path), "--experiment", "experiments/test-run",
                 "--resource", "resources/test-workstation", "--root", str(root), *extra])


def test_the_measurement_lands_in_the_experiment_and_is_reported_as_measured(
        root: Path, emissions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(emissions)
    assert len(rows) == 2
    assert _import(root, emissions) in (0, 1)
    out = capsys.readouterr().out
    assert "the file has 2 rows; imported the last" in out
    assert "CodeCarbon estimated" in out and "for Germany" in out
    [usage] = _record(root)["resource_utilizations"]
    last = rows[-1]
    assert usage["resource"] == "resources/test-workstation"
    assert usage["gpu_utilization_percent"] == 90  # what the person wrote is kept
    assert usage["energy_consumption_kwh"] == float(last["energy_consumed"])
    assert usage["duration_seconds"] == round(float(last["duration"]), 3)
    measurement = usage["energy_measurement"]
    assert measurement["source"] == "codecarbon" and measurement["includes_pue"] is False
    assert measurement["cpu_energy_kwh"] == float(last["cpu_energy"])
    assert measurement["ram_energy_kwh"] == float(last["ram_energy"])
    assert measurement["location"]["country"] == "DE"
    assert measurement["hardware"]["cpu_count"] == int(last["cpu_count"])
    assert measurement["run_id"] == last["run_id"]
    assert measurement["tool_version"] == codecarbon.__version__
    report = carbon_report(link(RecordStore(root)))
    [row] = report.footprints_of(["experiments/test-run"])
    assert row.energy.method == "measured"
    assert row.energy.inputs["energy_consumption_kwh"] == float(last["energy_consumed"])
    assert report.experiments["experiments/test-run"].measured_kwh > 0
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert errors == [], errors


def test_a_row_is_chosen_by_codecarbons_run_id_and_can_be_the_only_usage(
        root: Path, emissions: Path) -> None:
    first = _rows(emissions)[0]
    assert _import(root, emissions, "--run-id", first["run_id"], "--only",
                   "--utc-offset", "+02:00") in (0, 1)
    [usage] = _record(root)["resource_utilizations"]
    assert usage["energy_measurement"]["run_id"] == first["run_id"]
    assert "gpu_utilization_percent" not in usage  # --only: the measurement is the whole entry
    text = (root / "experiments/test-run/record.yaml").read_text(encoding="utf-8")
    assert re.search(r"start_time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n  duration", text)


def _bad_copy(emissions: Path, tmp_path: Path, edit: str) -> Path:
    rows = emissions.read_text(encoding="utf-8").splitlines()
    if edit == "header":
        rows[0] = rows[0].replace("energy_consumed", "energy")
    elif edit == "number":
        rows[2] = rows[2].replace(_rows(emissions)[1]["duration"], "fast", 1)
    path = tmp_path / "emissions.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("edit", "extra", "expected"), [
    ("header", (), r"emissions\.csv:1: the header has no column energy_consumed"),
    ("number", (), r"emissions\.csv:3: column 'duration': found 'fast'; expected a number"),
    ("none", ("--run-id", "nope"), r"no row with run_id nope; the file has: "),
])
def test_bad_input_says_where_and_what(
        root: Path, emissions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        edit: str, extra: tuple[str, ...], expected: str) -> None:
    before = (root / "experiments/test-run/record.yaml").read_text()
    assert _import(root, _bad_copy(emissions, tmp_path, edit), *extra) == 2
    err = capsys.readouterr().err
    assert re.search(expected, err), err
    assert (root / "experiments/test-run/record.yaml").read_text() == before


def test_unknown_experiment_or_resource(root: Path, emissions: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-codecarbon", str(emissions), "--experiment", "experiments/none",
                 "--resource", "resources/test-workstation", "--root", str(root)]) == 2
    assert "--experiment experiments/none: no such experiment" in capsys.readouterr().err
    assert main(["import-codecarbon", str(emissions), "--experiment", "experiments/test-run",
                 "--resource", "resources/none", "--root", str(root)]) == 2
    assert "--resource resources/none: no such resource" in capsys.readouterr().err
