"""The figures carbon accounting assumes when a record does not say, each with its source.

The defaults here are used only when neither the utilisation nor the resource gives the value;
``catalogue.yaml`` may override the ones people disagree about (section ``carbon``). Every figure
the report prints says which of these it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from catalogue.model.settings import CarbonSettings, Settings

GREEN_ALGORITHMS = ("Lannelongue, Grealey & Inouye (2021), Green Algorithms: Quantifying the "
                    "Carbon Footprint of Computation, Advanced Science 8(12), "
                    "doi:10.1002/advs.202100707")

# Power usage effectiveness of a data centre that states none: the 2019 global average of the
# Uptime Institute survey, the default of the Green Algorithms calculator (data/defaults_PUE.csv).
DEFAULT_PUE = 1.67
# A workstation in an office has no data-centre overhead; Green Algorithms uses PUE 1 for a
# personal computer.
DEFAULT_PUE_LOCAL = 1.0
# What the large clouds report for their fleets, as tabulated by Green Algorithms
# (data/defaults_PUE.csv, citing each provider's sustainability pages).
DEFAULT_PUE_BY_PROVIDER: Mapping[str, float] = {"aws": 1.2, "gcp": 1.11, "azure": 1.125}
# A PUE we assumed is uncertain by this fraction either way (low end never below 1.0). Our
# judgement: it spans hyperscale (~1.1) to older enterprise rooms (~2.0) around 1.67.
PUE_UNCERTAINTY = 0.2

# Thermal design power per CPU core when the resource gives none: the "Any" row of Green
# Algorithms' data/TDP_cpu.csv.
DEFAULT_CPU_POWER_WATTS_PER_CORE = 12.0
# Power of one GPU when the resource gives none: the "Any" row of Green Algorithms'
# data/TDP_gpu.csv.
DEFAULT_GPU_POWER_WATTS = 200.0
# Power drawn by memory, per GB: Green Algorithms (data/referenceValues.csv, memoryPower).
DEFAULT_MEMORY_POWER_WATTS_PER_GB = 0.3725

# A utilisation that is not recorded is assumed to be 100 % (Green Algorithms' default usage
# factor of 1, the upper bound); the range then reaches down to this. Our judgement.
UNKNOWN_UTILISATION_LOW_PERCENT = 50.0
# A recorded average utilisation is taken to be within this many percentage points (sampling
# and averaging). Our judgement.
UTILISATION_TOLERANCE_POINTS = 10.0

# World average grid intensity, used when a resource's location is unknown: IEA, Global Energy &
# CO2 Status Report 2019, as bundled by CodeCarbon (carbon_intensity_per_source.json).
WORLD_INTENSITY_GCO2_PER_KWH = 475.0
WORLD_INTENSITY_YEAR = 2019
WORLD_INTENSITY_SOURCE = ("IEA Global Energy & CO2 Status Report 2019 (world average), "
                          "via CodeCarbon")
# The world average stands for an unknown grid, anywhere from hydro to coal: +-50 %. Judgement.
WORLD_INTENSITY_UNCERTAINTY = 0.5
# A country's annual intensity drifts as its grid changes (European grids fell by several per
# cent a year in 2015-2023, Ember); a figure from another year than the run's is uncertain by
# this fraction per year of difference, at least one year's worth, at most INTENSITY_MAX_...
INTENSITY_DRIFT_PER_YEAR = 0.05
INTENSITY_MAX_UNCERTAINTY = 0.5
# When the run's year is unknown, assume it is this many years away from the table's year.
UNKNOWN_RUN_YEAR_GAP = 3

# The prototype flags "Above 5 kg CO2"; bands for the site and search facets. The band limits
# are our judgement: under 1 kg is about 6 km by car (Green Algorithms: 175 g/km).
THRESHOLD_KG = 5.0
MEDIUM_FROM_KG = 1.0
HIGH_FROM_KG = 5.0
BANDS = ("low", "medium", "high")


@dataclass(frozen=True)
class CarbonDefaults:
    pue: float = DEFAULT_PUE
    pue_local: float = DEFAULT_PUE_LOCAL
    pue_by_provider: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_PUE_BY_PROVIDER))
    pue_uncertainty: float = PUE_UNCERTAINTY
    cpu_power_watts_per_core: float = DEFAULT_CPU_POWER_WATTS_PER_CORE
    gpu_power_watts: float = DEFAULT_GPU_POWER_WATTS
    memory_power_watts_per_gb: float = DEFAULT_MEMORY_POWER_WATTS_PER_GB
    unknown_utilisation_low_percent: float = UNKNOWN_UTILISATION_LOW_PERCENT
    utilisation_tolerance_points: float = UTILISATION_TOLERANCE_POINTS
    world_intensity_gco2_per_kwh: float = WORLD_INTENSITY_GCO2_PER_KWH
    world_intensity_uncertainty: float = WORLD_INTENSITY_UNCERTAINTY
    intensity_drift_per_year: float = INTENSITY_DRIFT_PER_YEAR
    intensity_max_uncertainty: float = INTENSITY_MAX_UNCERTAINTY
    unknown_run_year_gap: int = UNKNOWN_RUN_YEAR_GAP
    threshold_kg: float = THRESHOLD_KG
    medium_from_kg: float = MEDIUM_FROM_KG
    high_from_kg: float = HIGH_FROM_KG
    overridden: frozenset[str] = frozenset()
    """Names set by ``catalogue.yaml`` rather than taken from the constants above."""

    def source(self, name: str) -> str:
        if name in self.overridden:
            return "catalogue.yaml (carbon settings)"
        return DEFAULT_SOURCES.get(name, "Open Models Hub default")

    def as_json(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for item in fields(self):
            if item.name == "overridden":
                continue
            value = getattr(self, item.name)
            values[item.name] = {"value": dict(value) if isinstance(value, Mapping) else value,
                                 "source": self.source(item.name)}
        return values


DEFAULT_SOURCES: dict[str, str] = {
    "pue": "Uptime Institute 2019 global average, via Green Algorithms (defaults_PUE.csv)",
    "pue_local": "Green Algorithms: no facility overhead for a personal computer",
    "pue_by_provider": "provider fleet PUE, via Green Algorithms (defaults_PUE.csv)",
    "pue_uncertainty": "Open Models Hub judgement",
    "cpu_power_watts_per_core": "Green Algorithms TDP_cpu.csv ('Any')",
    "gpu_power_watts": "Green Algorithms TDP_gpu.csv ('Any')",
    "memory_power_watts_per_gb": "Green Algorithms referenceValues.csv (memoryPower)",
    "unknown_utilisation_low_percent": "Open Models Hub judgement",
    "utilisation_tolerance_points": "Open Models Hub judgement",
    "world_intensity_gco2_per_kwh": WORLD_INTENSITY_SOURCE,
    "world_intensity_uncertainty": "Open Models Hub judgement",
    "intensity_drift_per_year": "Open Models Hub judgement (grids change by several % a year)",
    "intensity_max_uncertainty": "Open Models Hub judgement",
    "unknown_run_year_gap": "Open Models Hub judgement",
    "threshold_kg": "the OpenModelsHub data model, which flags runs above 5 kg CO2e",
    "medium_from_kg": "Open Models Hub judgement",
    "high_from_kg": "the OpenModelsHub data model, which flags runs above 5 kg CO2e",
}

# ``carbon.bands`` settings -> CarbonDefaults fields; the other carbon settings have the names
# of the fields they override.
BAND_SETTINGS = {"medium_kg": "medium_from_kg", "high_kg": "high_from_kg"}


def carbon_defaults(settings: Settings | None = None) -> CarbonDefaults:
    """The defaults, with what ``catalogue.yaml``'s ``carbon`` section overrides."""
    carbon = settings.carbon if settings is not None else CarbonSettings()
    given: dict[str, float | None] = {item.name: getattr(carbon, item.name)
                                      for item in fields(carbon) if item.name != "bands"}
    given.update({name: getattr(carbon.bands, key) for key, name in BAND_SETTINGS.items()})
    changes: dict[str, Any] = {name: float(value) for name, value in given.items()
                               if value is not None}
    return replace(CarbonDefaults(), **changes, overridden=frozenset(changes))


def band(kg: float, settings: Settings | CarbonDefaults | None = None) -> str:
    """``low``, ``medium`` or ``high``: the impact band the site and search facets use."""
    defaults = settings if isinstance(settings, CarbonDefaults) else carbon_defaults(settings)
    if kg >= defaults.high_from_kg:
        return "high"
    if kg >= defaults.medium_from_kg:
        return "medium"
    return "low"


def above_threshold(kg: float, settings: Settings | CarbonDefaults | None = None) -> bool:
    defaults = settings if isinstance(settings, CarbonDefaults) else carbon_defaults(settings)
    return kg > defaults.threshold_kg
