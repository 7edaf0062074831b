"""The carbon gate: inputs the energy and carbon figures cannot trust (hardware a run could not
have used, measurements far from what the hardware allows, locations without a grid intensity,
card emissions that cannot be read).

How each figure is obtained lives in ``catalogue/derive``: ``energy.py`` (energy),
``carbon_intensity.py`` (grid intensity), ``carbon_defaults.py`` (the assumed values and their
sources), ``carbon_rollup.py`` (the report the site and ``omh carbon`` read).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from catalogue.check.context import CheckContext
from catalogue.derive.carbon_defaults import CarbonDefaults, carbon_defaults
from catalogue.derive.carbon_footprint import (
    UTILISATIONS,
    resource_for,
    utilisations,
)
from catalogue.derive.carbon_intensity import (
    TABLE_NAME,
    IntensityTable,
    load_intensity_table,
    resource_location,
)
from catalogue.derive.carbon_interop import card_emissions
from catalogue.derive.energy import UnusableInput, energy_for, estimate_from_hardware, number
from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding, Location, error, warning
from catalogue.model.kinds import CARD_FILE, SETTINGS_FILE
from catalogue.model.records import Record
from catalogue.model.yaml_source import YamlError, read_yaml_file

RULE = "carbon-inputs"
# A measured energy this many times above or below the hardware estimate is probably in the wrong
# unit (Wh for kWh) or for another run.
MEASURED_VS_ESTIMATE_FACTOR = 10.0


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_utilisation(experiment: Record, index: int, utilisation: dict[str, Any],
                       resource: Record, defaults: CarbonDefaults) -> Iterator[Finding]:
    def finding(field: str, message: str, severe: bool = True) -> Finding:
        name = f"{UTILISATIONS}[{index}].{field}"
        make = error if severe else warning
        return make(RULE, f"field '{name}': {message}",
                    experiment.location((UTILISATIONS, index, field)), experiment.id, name)

    hardware = resource.data
    gpu_count = _whole(hardware.get("gpu_count")) or 0
    gpu_use = number(utilisation.get("gpu_utilization_percent"))
    if gpu_use and not gpu_count:
        yield finding("gpu_utilization_percent",
                      f"{gpu_use:g} % GPU utilisation, but {resource.id} has no GPU (gpu_count is "
                      "0 or missing); remove the value, or give the resource its gpu_count, "
                      "gpu_model and gpu_power_watts")
    for field, stated, limit, what in (
            ("gpus_used", _whole(utilisation.get("gpus_used")), gpu_count, "GPU(s)"),
            ("cpu_cores_used", _whole(utilisation.get("cpu_cores_used")),
             _whole(hardware.get("cpu_cores")), "CPU cores")):
        if stated and limit is not None and stated > limit:
            per_node = " per node" if hardware.get("resource_type") == "hpc" else ""
            yield finding(field, f"{stated} used{per_node}, but {resource.id} has {limit} "
                                 f"{what}{per_node}; use at most {limit}, or fix the resource")
    nodes = _whole(utilisation.get("nodes"))
    total_nodes = _whole(hardware.get("total_nodes"))
    if nodes and total_nodes and nodes > total_nodes:
        yield finding("nodes", f"{nodes} nodes, but {resource.id} has {total_nodes} in total")
    if nodes and nodes > 1 and hardware.get("resource_type") == "local":
        yield finding("nodes", f"{nodes} nodes on {resource.id}, a single local machine; the "
                               "energy is multiplied by the node count (describe a cluster as an "
                               "hpc resource)", severe=False)
    if number(utilisation.get("energy_consumption_kwh")) is None:
        return
    try:
        measured = energy_for(utilisation, hardware, defaults)
        estimate = estimate_from_hardware(utilisation, hardware, defaults)
    except UnusableInput:
        return  # the schema check reports the duration
    if estimate.kwh > 0 and not (1 / MEASURED_VS_ESTIMATE_FACTOR
                                 <= measured.kwh / estimate.kwh <= MEASURED_VS_ESTIMATE_FACTOR):
        yield finding("energy_consumption_kwh",
                      f"measured {measured.kwh:.4g} kWh is {measured.kwh / estimate.kwh:.3g} "
                      f"times the estimate from {resource.id}'s hardware ({estimate.formula}); "
                      "check the unit (kWh, not Wh) and the duration", severe=False)


def _check_experiment(experiment: Record, store: RecordStore,
                      defaults: CarbonDefaults) -> Iterator[Finding]:
    for index, utilisation in utilisations(experiment):
        resource = resource_for(utilisation, store)
        if resource is not None:  # an unresolved reference is the link check's to report
            yield from _check_utilisation(experiment, index, utilisation, resource, defaults)


def _check_resource(resource: Record, table: IntensityTable,
                    defaults: CarbonDefaults) -> Iterator[Finding]:
    if number(resource.data.get("carbon_intensity_gco2_per_kwh")) is not None:
        return
    country, _region = resource_location(resource.data)
    if country is None:
        yield warning(RULE, "no location.country and no carbon_intensity_gco2_per_kwh: its carbon "
                      f"uses the world average {defaults.world_intensity_gco2_per_kwh:g} g "
                      "CO2e/kWh; add location.country (ISO 3166-1 alpha-2, e.g. FI)",
                      resource.location(("location",) if "location" in resource.data else ()),
                      resource.id, "location.country")
    elif table.country(country) is None:
        yield error(RULE, f"field 'location.country': '{country}' has no carbon intensity in "
                    f"{TABLE_NAME}; expected an ISO 3166-1 alpha-2 country code such as FI, DE "
                    "or US, or give the resource's carbon_intensity_gco2_per_kwh",
                    resource.location(("location", "country")), resource.id, "location.country")


def check_card_emissions(record: Record) -> Iterator[Finding]:
    """A model card's ``co2_eq_emissions`` that cannot be read: a check of the record's own
    folder, run with its folder checks (a rebuild then reads no unchanged card)."""
    card = card_emissions(record.card) if record.kind.name == "model" else None
    if card is not None and card.problem:
        yield error(RULE, f"{card.problem} (Hugging Face form: a number of grams, or a mapping "
                    "with emissions in grams, source, training_type, geographical_location, "
                    "hardware_used)", Location(f"{record.id}/{CARD_FILE}", card.line),
                    record.id, "co2_eq_emissions")


def _check_settings(store: RecordStore, defaults: CarbonDefaults) -> Iterator[Finding]:
    if defaults.medium_from_kg <= defaults.high_from_kg:
        return
    line = 1
    with contextlib.suppress(OSError, YamlError):
        line = read_yaml_file(store.root / SETTINGS_FILE).key_position(("carbon", "bands"))[0]
    yield error(RULE, f"field 'carbon.bands': medium_kg ({defaults.medium_from_kg:g}) is above "
                f"high_kg ({defaults.high_from_kg:g}); the medium band must start below the high "
                "band", Location(SETTINGS_FILE, line), None, "carbon.bands")


def check_carbon_inputs(context: CheckContext) -> Iterator[Finding]:
    """Inputs the energy and carbon figures cannot trust: hardware a run could not have used,
    measurements far from what the hardware allows, locations without an intensity (and, with
    each record's folder checks, cards whose emissions cannot be read:
    ``check_card_emissions``)."""
    store = context.store
    defaults = carbon_defaults(store.settings)
    table = load_intensity_table()
    for record in context.records:
        if record.kind.name == "experiment":
            yield from _check_experiment(record, store, defaults)
        elif record.kind.name == "resource":
            yield from _check_resource(record, table, defaults)
    yield from _check_settings(store, defaults)
