"""Grid carbon intensity: the table shipped in ``catalogue/data`` and the choice of figure for one
utilisation (given on the utilisation, given on the resource, the resource's region or country,
or the world average), with the range that the figure's age implies."""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from catalogue.derive.carbon_defaults import WORLD_INTENSITY_YEAR, CarbonDefaults

TABLE_PATH = Path(__file__).resolve().parent.parent / "data" / "carbon_intensity.csv"
TABLE_NAME = "catalogue/data/carbon_intensity.csv"


class IntensityRow(NamedTuple):
    country: str
    region: str
    name: str
    gco2_per_kwh: float
    year: int
    source: str
    license: str


class IntensityTable(NamedTuple):
    countries: dict[str, IntensityRow]
    regions: dict[tuple[str, str], IntensityRow]
    """Keyed by (country, lower-case region code or name)."""

    def country(self, code: str) -> IntensityRow | None:
        return self.countries.get(code.upper())

    def region(self, country: str, region: str) -> IntensityRow | None:
        key = region.strip().lower()
        prefix = f"{country.lower()}-"
        return (self.regions.get((country.upper(), key))
                or self.regions.get((country.upper(), key.removeprefix(prefix))))


@functools.cache
def load_intensity_table(path: Path = TABLE_PATH) -> IntensityTable:
    countries: dict[str, IntensityRow] = {}
    regions: dict[tuple[str, str], IntensityRow] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle):
            row = IntensityRow(line["country"], line["region"], line["name"],
                               float(line["gco2_per_kwh"]), int(line["year"]), line["source"],
                               line["license"])
            if row.region:
                regions[(row.country, row.region.lower())] = row
                regions[(row.country, row.name.lower())] = row
            else:
                countries[row.country] = row
    return IntensityTable(countries, regions)


class Intensity(NamedTuple):
    gco2_per_kwh: float
    low: float
    high: float
    basis: str
    """``utilisation``, ``resource``, ``region``, ``country`` or ``world-default``."""
    area: str
    """What the figure is for: ``FI``, ``US-CA``, ``world``, or the record that gave it."""
    source: str
    year: int | None
    license: str | None

    def as_json(self) -> dict[str, Any]:
        return {"gco2_per_kwh": self.gco2_per_kwh, "low": self.low, "high": self.high,
                "basis": self.basis, "area": self.area, "source": self.source,
                "year": self.year, "license": self.license}


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None


def resource_location(resource: Mapping[str, Any]) -> tuple[str | None, str | None]:
    location = resource.get("location")
    if not isinstance(location, dict):
        return None, None
    country, region = location.get("country"), location.get("region")
    return (country if isinstance(country, str) and country else None,
            region if isinstance(region, str) and region else None)


def _from_table(row: IntensityRow, basis: str, area: str, run_year: int | None,
                defaults: CarbonDefaults) -> Intensity:
    gap = abs(run_year - row.year) if run_year is not None else defaults.unknown_run_year_gap
    spread = min(defaults.intensity_drift_per_year * max(1, gap),
                 defaults.intensity_max_uncertainty)
    value = row.gco2_per_kwh
    return Intensity(value, value * (1 - spread), value * (1 + spread), basis, area, row.source,
                     row.year, row.license)


def choose_intensity(utilisation: Mapping[str, Any], resource: Mapping[str, Any],
                     resource_id: str, run_year: int | None, defaults: CarbonDefaults,
                     table: IntensityTable | None = None) -> Intensity:
    """The most specific intensity known for one utilisation of ``resource``."""
    given = _number(utilisation.get("carbon_intensity_gco2_per_kwh"))
    if given is not None:
        return Intensity(given, given, given, "utilisation", "as recorded for this run",
                         "given on the utilisation record", None, None)
    given = _number(resource.get("carbon_intensity_gco2_per_kwh"))
    if given is not None:
        return Intensity(given, given, given, "resource", resource_id,
                         f"given on {resource_id} (provider or facility figure)", None, None)
    table = table or load_intensity_table()
    country, region = resource_location(resource)
    if country and region:
        row = table.region(country, region)
        if row is not None:
            return _from_table(row, "region", f"{row.country}-{row.region}", run_year, defaults)
    if country:
        row = table.country(country)
        if row is not None:
            return _from_table(row, "country", row.country, run_year, defaults)
    value = defaults.world_intensity_gco2_per_kwh
    spread = defaults.world_intensity_uncertainty
    name = "world_intensity_gco2_per_kwh"
    year = None if name in defaults.overridden else WORLD_INTENSITY_YEAR
    return Intensity(value, value * (1 - spread), value * (1 + spread), "world-default", "world",
                     defaults.source(name), year, None)
