"""Forecast the next 24 hours at one weather station with the Weather Forecaster (ONNX).

The input is the station's last 72 hourly readings in the Weather Station Readings 2.0.0 CSV
layout (station_id, timestamp, temperature_c, humidity_percent, pressure_hpa,
precipitation_mm, ...). The readings are standardised with the means and standard deviations in
normalization.json; the model returns temperature (degC) and precipitation (mm per hour) in
physical units.

Usage:
    python forecast.py --model weather-forecaster.onnx --normalization normalization.json \
        --history sample.csv --station FI-OUL-0007
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import onnxruntime as ort

HOUR = timedelta(hours=1)


def read_history(path: Path, station: str, variables: list[str], window: int) -> tuple[
        list[datetime], np.ndarray]:
    """The station's last ``window`` readings, checked to be consecutive hours."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["station_id"] == station]
    rows.sort(key=lambda row: row["timestamp"])
    if len(rows) < window:
        raise SystemExit(f"{path}: station {station} has {len(rows)} readings; "
                         f"the model needs the last {window} hours")
    rows = rows[-window:]
    times = [datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00")) for row in rows]
    for before, after in itertools.pairwise(times):
        if after - before != HOUR:
            raise SystemExit(f"{path}: readings of {station} are not hourly between "
                             f"{before.isoformat()} and {after.isoformat()}; fill the gap first")
    values = np.array([[float(row[name]) for name in variables] for row in rows], np.float32)
    return times, values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path, help="the .onnx file")
    parser.add_argument("--normalization", required=True, type=Path,
                        help="normalization.json shipped with the model")
    parser.add_argument("--history", required=True, type=Path, help="CSV of hourly readings")
    parser.add_argument("--station", required=True, help="station_id to forecast for")
    args = parser.parse_args()

    norm = json.loads(args.normalization.read_text(encoding="utf-8"))
    window = int(norm["input_window_hours"])
    times, values = read_history(args.history, args.station, norm["input_variables"], window)
    mean = np.array(norm["mean"], np.float32)
    std = np.array(norm["std"], np.float32)
    history = ((values - mean) / std)[np.newaxis]

    session = ort.InferenceSession(str(args.model), providers=["CPUExecutionProvider"])
    (forecast,) = session.run(["forecast"], {"history": history})

    outputs = norm["output_variables"]
    print(",".join(["station_id", "timestamp", *outputs]))
    for hour, step in enumerate(forecast[0], start=1):
        when = (times[-1] + hour * HOUR).strftime("%Y-%m-%dT%H:%M:%SZ")
        cells = [f"{max(v, 0.0) if name == 'precipitation_mm' else v:.1f}"
                 for name, v in zip(outputs, step.tolist(), strict=True)]
        print(",".join([args.station, when, *cells]))


if __name__ == "__main__":
    main()
