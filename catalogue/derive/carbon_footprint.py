"""The footprint of each resource utilisation of an experiment: energy x grid intensity, with
where every input came from, so a page can say how the figure was obtained."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from catalogue.derive.carbon_defaults import CarbonDefaults
from catalogue.derive.carbon_intensity import (
    Intensity,
    IntensityTable,
    choose_intensity,
    load_intensity_table,
)
from catalogue.derive.energy import (
    MEASURED,
    EnergyEstimate,
    UnusableInput,
    duration_hours,
    energy_for,
)
from catalogue.load.store import RecordStore
from catalogue.model.dates import year_of
from catalogue.model.findings import Location
from catalogue.model.records import Record

UTILISATIONS = "resource_utilizations"


class UtilisationFootprint(NamedTuple):
    experiment_id: str
    position: int
    """Index in the experiment's ``resource_utilizations``."""
    resource_id: str
    resource_name: str
    place: str
    """Where the resource is, for people: city, region, country; cloud provider and region."""
    hardware: str
    """What was used, for people: nodes, GPUs, CPU cores and their models."""
    location: Location
    year: int | None
    hours: float
    energy: EnergyEstimate
    intensity: Intensity

    @property
    def kwh(self) -> float:
        return self.energy.kwh

    @property
    def kg(self) -> float:
        return self.energy.kwh * self.intensity.gco2_per_kwh / 1000

    @property
    def kg_low(self) -> float:
        return self.energy.low * self.intensity.low / 1000

    @property
    def kg_high(self) -> float:
        return self.energy.high * self.intensity.high / 1000

    @property
    def measured(self) -> bool:
        return self.energy.method == MEASURED

    @property
    def explanation(self) -> str:
        """One sentence a page can print under the figure."""
        intensity = self.intensity
        where = {"utilisation": "given for this run", "resource": f"given on {self.resource_id}",
                 "world-default": "world average (location unknown)"}.get(
            intensity.basis, f"{intensity.area}, {intensity.year}")
        spread = (f"; range {self.kg_low:.3g}-{self.kg_high:.3g} kg"
                  if self.kg_high > self.kg_low else "")
        return (f"{self.energy.formula}; x {intensity.gco2_per_kwh:.4g} g CO2e/kWh ({where}) "
                f"= {self.kg:.4g} kg CO2e ({self.energy.method}{spread})")

    def as_json(self) -> dict[str, Any]:
        energy = self.energy
        return {
            "experiment": self.experiment_id,
            "index": self.position,
            "resource": self.resource_id,
            "resource_name": self.resource_name,
            "place": self.place,
            "hardware": self.hardware,
            "file": self.location.path,
            "line": self.location.line,
            "year": self.year,
            "hours": self.hours,
            "method": energy.method,
            "basis": energy.basis,
            "kwh": energy.kwh,
            "kwh_low": energy.low,
            "kwh_high": energy.high,
            "kg": self.kg,
            "kg_low": self.kg_low,
            "kg_high": self.kg_high,
            "pue": energy.pue,
            "pue_source": energy.pue_source,
            "intensity": self.intensity.as_json(),
            "inputs": energy.inputs,
            "defaults_used": list(energy.defaults_used),
            "formula": energy.formula,
            "explanation": self.explanation,
        }


class Skipped(NamedTuple):
    """A utilisation left out of every figure, and why."""

    experiment_id: str
    position: int
    location: Location
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"experiment": self.experiment_id, "index": self.position,
                "file": self.location.path, "line": self.location.line,
                "message": self.message}


def utilisations(record: Record) -> Iterator[tuple[int, dict[str, Any]]]:
    items = record.data.get(UTILISATIONS)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def describe_place(resource: dict[str, Any]) -> str:
    location = resource.get("location")
    location = location if isinstance(location, dict) else {}
    parts = list(dict.fromkeys(str(location[k]) for k in ("city", "region", "country")
                               if isinstance(location.get(k), str)))
    cloud = " ".join(str(resource[k]) for k in ("provider", "provider_region")
                     if isinstance(resource.get(k), str))
    if cloud:
        return f"{cloud} ({', '.join(parts)})" if parts else cloud
    return ", ".join(parts) or "unknown location"


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def describe_hardware(utilisation: dict[str, Any], resource: dict[str, Any]) -> str:
    gpus = _whole(utilisation.get("gpus_used"))
    gpus = gpus if gpus is not None else _whole(resource.get("gpu_count")) or 0
    cores = _whole(utilisation.get("cpu_cores_used")) or _whole(resource.get("cpu_cores")) or 0
    parts = []
    if gpus:
        parts.append(f"{gpus} x {resource.get('gpu_model') or 'GPU'}")
    if cores:
        cpu = resource.get("cpu_model")
        parts.append(f"{cores} CPU cores" + (f" ({cpu})" if isinstance(cpu, str) else ""))
    text = " + ".join(parts) or "unspecified hardware"
    nodes = _whole(utilisation.get("nodes")) or 1
    if nodes > 1:
        text = f"{nodes} nodes x ({text})"
    instance = resource.get("instance_type")
    return f"{instance}: {text}" if isinstance(instance, str) else text


def resource_for(utilisation: dict[str, Any], store: RecordStore) -> Record | None:
    resource_id = utilisation.get("resource")
    if not isinstance(resource_id, str) or not resource_id.startswith("resources/"):
        return None
    resource = store.get(resource_id)
    return resource if resource is not None and resource.kind.name == "resource" else None


def experiment_footprints(experiment: Record, store: RecordStore, defaults: CarbonDefaults,
                          table: IntensityTable | None = None,
                          ) -> tuple[list[UtilisationFootprint], list[Skipped]]:
    table = table or load_intensity_table()
    footprints: list[UtilisationFootprint] = []
    skipped: list[Skipped] = []
    data = experiment.data
    for index, utilisation in utilisations(experiment):
        path: tuple[str | int, ...] = (UTILISATIONS, index)
        resource = resource_for(utilisation, store)
        if resource is None:
            skipped.append(Skipped(
                experiment.id, index, experiment.location((*path, "resource")),
                f"{UTILISATIONS}[{index}].resource: no resource "
                f"{utilisation.get('resource')!r} in the catalogue, so its energy is unknown"))
            continue
        try:
            energy = energy_for(utilisation, resource.data, defaults)
            hours = duration_hours(utilisation)
        except UnusableInput as problem:
            skipped.append(Skipped(experiment.id, index,
                                   experiment.location((*path, problem.field)),
                                   f"{UTILISATIONS}[{index}].{problem.field}: {problem.message}"))
            continue
        year = year_of(utilisation.get("start_time"), data.get("start_time"),
                       data.get("created_at"))
        intensity = choose_intensity(utilisation, resource.data, resource.id, year, defaults,
                                     table)
        footprints.append(UtilisationFootprint(
            experiment.id, index, resource.id, resource.title, describe_place(resource.data),
            describe_hardware(utilisation, resource.data), experiment.location(path), year,
            hours, energy, intensity))
    return footprints, skipped
