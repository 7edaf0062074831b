"""CodeCarbon's ``emissions.csv`` (what ``EmissionsTracker`` and ``OfflineEmissionsTracker``
write, one row per tracked run) as measured energy in an experiment's
``resource_utilizations``, so that the carbon report says *measured* for it.

A row gives the run's duration, the energy of the CPU, GPU and RAM and their total (kWh), where
it ran (country, region) and the hardware it tracked. Its ``emissions`` figure (kg CO2e, from
CodeCarbon's own grid data) is not copied: the catalogue computes the carbon from the energy and
the resource's location, and the notes show CodeCarbon's figure next to it.

CodeCarbon writes its ``timestamp`` (when the row was written, at the end of the run) in the
machine's local time without a zone; it is read as UTC unless an offset is given.
"""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

from catalogue.importers.extras import require
from catalogue.importers.result import Imported, ImportRefused
from catalogue.importers.values import has_inner_comments, leading_comments, plain
from catalogue.load.store import RecordStore
from catalogue.model.kinds import KINDS, RECORD_FILE

TOOL = "omh import-codecarbon"
REQUIRED = ("timestamp", "duration", "energy_consumed")
ENERGY_COLUMNS = (("cpu_energy", "cpu_energy_kwh"), ("gpu_energy", "gpu_energy_kwh"),
                  ("ram_energy", "ram_energy_kwh"))
POWER_COLUMNS = (("cpu_power", "cpu_power_watts"), ("gpu_power", "gpu_power_watts"),
                 ("ram_power", "ram_power_watts"))
NUMBER_COLUMNS = frozenset({"duration", "emissions", "emissions_rate", "cpu_power", "gpu_power",
                            "ram_power", "cpu_energy", "gpu_energy", "ram_energy",
                            "energy_consumed", "cpu_count", "gpu_count", "ram_total_size",
                            "cpu_utilization_percent", "gpu_utilization_percent", "pue"})
MAX_BYTES = 50_000_000


class EmissionsRow(NamedTuple):
    line: int
    values: dict[str, str]

    def number(self, column: str) -> float | None:
        text = (self.values.get(column) or "").strip()
        return float(text) if text else None

    def text(self, column: str) -> str | None:
        value = (self.values.get(column) or "").strip()
        return value or None


def read_emissions(path: Path) -> list[EmissionsRow]:
    """The rows of an ``emissions.csv``, each number checked; ``ImportRefused`` names the line
    and column of anything that is not what CodeCarbon writes."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportRefused(f"{path}: larger than {MAX_BYTES // 1_000_000} MB; expected "
                                "CodeCarbon's emissions.csv")
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ImportRefused(f"{path}: cannot read it: {exc.strerror or exc}") from None
    rows: list[EmissionsRow] = []
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ImportRefused(f"{path}:1: the header has no column {', '.join(missing)}; "
                                    f"expected CodeCarbon's emissions.csv ({', '.join(REQUIRED)}, "
                                    "cpu_energy, gpu_energy, ram_energy, country_iso_code, ...)")
            for values in reader:
                line = reader.line_num
                if None in values:
                    raise ImportRefused(f"{path}:{line}: more fields than the header has "
                                        f"columns ({len(header)})")
                row = EmissionsRow(line, {k: v or "" for k, v in values.items()})
                _check_numbers(path, row)
                rows.append(row)
        except csv.Error as exc:
            raise ImportRefused(f"{path}:{reader.line_num}: not CSV: {exc}") from None
        except UnicodeDecodeError:
            raise ImportRefused(f"{path}: not UTF-8 text; expected CodeCarbon's "
                                "emissions.csv") from None
    if not rows:
        raise ImportRefused(f"{path}: the header has no rows under it; expected one row per "
                            "tracked run")
    return rows


def _check_numbers(path: Path, row: EmissionsRow) -> None:
    for column in NUMBER_COLUMNS & row.values.keys():
        text = row.values[column].strip()
        if not text and column not in REQUIRED:
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise ImportRefused(f"{path}:{row.line}: column '{column}': found {text!r}; expected "
                                "a number >= 0")


def select_row(path: Path, rows: list[EmissionsRow], run_id: str | None,
               notes: list[str]) -> EmissionsRow:
    if run_id is not None:
        chosen = [r for r in rows if r.text("run_id") == run_id]
        if not chosen:
            known = ", ".join(dict.fromkeys(r.text("run_id") or "?" for r in rows))
            raise ImportRefused(f"{path}: no row with run_id {run_id}; the file has: {known}")
        return chosen[-1]
    if len(rows) > 1:
        notes.append(f"{path.name}: the file has {len(rows)} rows; imported the last (line "
                     f"{rows[-1].line}, run_id {rows[-1].text('run_id')}); choose another with "
                     "--run-id")
    return rows[-1]


def _country(alpha3: str | None, notes: list[str]) -> str | None:
    if not alpha3:
        return None
    pycountry = require("pycountry", TOOL)
    found = pycountry.countries.get(alpha_3=alpha3.upper())
    if found is None:
        notes.append(f"country_iso_code {alpha3!r} is not an ISO 3166 alpha-3 code; left out")
        return None
    return str(found.alpha_2)


def _start(row: EmissionsRow, offset: timezone, duration: float) -> str | None:
    text = row.text("timestamp")
    try:
        written = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    if written.tzinfo is None:
        written = written.replace(tzinfo=offset)
    start = (written - timedelta(seconds=duration)).astimezone(UTC)
    return start.isoformat(timespec="seconds").replace("+00:00", "Z")


def utilisation(row: EmissionsRow, resource: str, offset: timezone,
                notes: list[str]) -> dict[str, Any]:
    """The ``resource_utilizations`` entry for one row."""
    duration = row.number("duration") or 0.0
    entry: dict[str, Any] = {"resource": resource}
    start = _start(row, offset, duration)
    if start:
        entry["start_time"] = start
    entry["duration_seconds"] = round(duration, 3)
    gpus = row.number("gpu_count")
    if gpus is not None:
        entry["gpus_used"] = int(gpus)
    for column, key in (("cpu_utilization_percent", "cpu_utilization_percent"),
                        ("gpu_utilization_percent", "gpu_utilization_percent")):
        value = row.number(column)
        if value is not None and 0 < value <= 100 and (key != "gpu_utilization_percent" or gpus):
            entry[key] = round(value, 1)
    entry["energy_consumption_kwh"] = row.number("energy_consumed")
    pue = row.number("pue")
    measurement: dict[str, Any] = {"source": "codecarbon",
                                   "includes_pue": pue is not None and pue > 1}
    for column, key in ENERGY_COLUMNS:
        value = row.number(column)
        if value is not None:
            measurement[key] = value
    country = _country(row.text("country_iso_code"), notes)
    location = {k: v for k, v in (("country", country), ("region", row.text("region"))) if v}
    if location:
        measurement["location"] = location
    hardware = {key: value for key, value in (
        ("cpu_model", row.text("cpu_model")), ("cpu_count", row.number("cpu_count")),
        ("gpu_model", row.text("gpu_model")), ("gpu_count", gpus),
        ("ram_total_gb", row.number("ram_total_size"))) if value is not None}
    for key in ("cpu_count", "gpu_count"):
        if key in hardware:
            hardware[key] = int(hardware[key])
    if hardware:
        measurement["hardware"] = hardware
    for column, key in (("tracking_mode", "tracking_mode"), ("codecarbon_version", "tool_version"),
                        ("run_id", "run_id")):
        if row.text(column):
            measurement[key] = row.text(column)
    entry["energy_measurement"] = measurement
    powers = {key: round(value, 3) for column, key in POWER_COLUMNS
              if (value := row.number(column)) is not None}
    if powers:
        entry["average_usage_metrics"] = powers
    emissions = row.number("emissions")
    if emissions is not None:
        energy = row.number("energy_consumed") or 0.0
        rate = f" ({emissions * 1000 / energy:.0f} g/kWh)" if energy else ""
        notes.append(f"CodeCarbon estimated {emissions * 1000:.4g} g CO2e{rate} for "
                     f"{row.text('country_name') or 'its location'}; the catalogue computes the "
                     "carbon itself from the measured energy and the resource's location "
                     "(omh carbon)")
    return entry


def _merge(existing: list[Any], entry: dict[str, Any], notes: list[str]) -> list[Any]:
    """Replace the entry for the same resource (or the same CodeCarbon run), keeping what the
    person wrote that the measurement does not say; otherwise add it."""
    run_id = entry["energy_measurement"].get("run_id")
    for index, old in enumerate(existing):
        if not isinstance(old, dict):
            continue
        same_run = run_id and (old.get("energy_measurement") or {}).get("run_id") == run_id
        if same_run or old.get("resource") == entry["resource"]:
            merged = {k: v for k, v in old.items()
                      if k not in ("energy_consumption_kwh", "energy_measurement")}
            merged.update(entry)
            notes.append(f"resource_utilizations[{index}]: the entry for {entry['resource']} now "
                         "holds the measurement")
            return [*existing[:index], merged, *existing[index + 1:]]
    return [*existing, entry]


def import_emissions(path: Path, store: RecordStore, experiment: str, resource: str, *,
                     run_id: str | None = None, utc_offset: timezone = UTC,
                     only: bool = False) -> Imported:
    """The experiment record with the row's measurement in its ``resource_utilizations``
    (``only``: as the run's one entry, replacing what the record said)."""
    notes: list[str] = []
    kind, _, slug = experiment.partition("/")
    record = store.get(experiment) if kind == "experiments" else None
    record_path = store.paths.get(experiment)
    if record is None or record_path is None:
        raise ImportRefused(f"--experiment {experiment}: no such experiment in {store.root} (or "
                            f"it cannot be read: omh validate {experiment}); import the run "
                            "first (omh import-mlflow) or start it with omh new experiment")
    if not resource.startswith("resources/") or not store.exists(resource):
        raise ImportRefused(f"--resource {resource}: no such resource in {store.root}; add the "
                            "machine first (omh new resource SLUG)")
    rows = read_emissions(path)
    row = select_row(path, rows, run_id, notes)
    entry = utilisation(row, resource, utc_offset, notes)
    machine = store.get(resource)
    stated = ((machine.data.get("location") or {}).get("country")
              if machine is not None else None)
    measured = entry["energy_measurement"].get("location", {}).get("country")
    if stated and measured and stated != measured:
        notes.append(f"{resource} is in {stated}, but CodeCarbon was told {measured}; check "
                     "which is right (the carbon report uses the resource's country)")
    data = plain(record.data)
    before = data.get("resource_utilizations") or []
    if only and before:
        notes.append(f"resource_utilizations: replaced the {len(before)} entr"
                     f"{'y' if len(before) == 1 else 'ies'} the record had (--only)")
    data["resource_utilizations"] = [entry] if only else _merge(before, entry, notes)
    text = record_path.read_text(encoding="utf-8")
    if has_inner_comments(text):
        notes.append(f"{experiment}/{RECORD_FILE}: comments inside the record were not kept "
                     "(git diff shows them)")
    header = [line for line in leading_comments(text)
              if not line.startswith(f"Energy measured by CodeCarbon, added by {TOOL}")]
    header.append(f"Energy measured by CodeCarbon, added by {TOOL} from {path.name} (line "
                  f"{row.line}).")
    return Imported(KINDS["experiment"], slug, data, path.name, TOOL, notes=notes,
                    header=header, update=True)
