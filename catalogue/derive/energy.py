"""Energy of one resource utilisation, measured or estimated, with the range its inputs allow.

In order of preference:

1. **measured**: ``energy_consumption_kwh`` (CodeCarbon, NVML, a scheduler...). The facility
   overhead (PUE) is applied only if ``energy_measurement.includes_pue`` says it is not in the
   figure yet, so it is never applied twice.
2. **wall power** (local resources): the machine's measured wall power under load
   (``power_consumption_watts``) x nodes x hours x PUE. Full load bounds the run from above;
   the low end of its range is the component estimate below, at the recorded utilisation.
3. **component power** (Green Algorithms, Lannelongue et al. 2021), per node::

       hours x nodes x (GPUs x W per GPU x GPU use + cores x W per core x CPU use
                        + memory GB x W per GB) x PUE

   For HPC resources the hardware figures are per node, and ``gpus_used``, ``cpu_cores_used``
   and ``memory_usage_gb`` on the utilisation are per node too.

The low-high range comes from the inputs that were assumed rather than recorded: a default PUE,
a missing or averaged utilisation. A value the records state is taken as exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from catalogue.derive.carbon_defaults import CarbonDefaults

MEASURED = "measured"
ESTIMATED = "estimated"


class UnusableInput(ValueError):
    """A utilisation the figures cannot be computed from; ``field`` names the culprit."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Pue(NamedTuple):
    value: float
    low: float
    high: float
    source: str
    default: str | None
    """Name of the default used, or None when the resource states its PUE."""


class EnergyEstimate(NamedTuple):
    kwh: float
    low: float
    high: float
    method: str
    """``measured`` or ``estimated``."""
    basis: str
    """``measured-energy``, ``wall-power`` or ``component-power``."""
    pue: float | None
    """The PUE applied, or None when the measurement already includes it."""
    pue_source: str
    formula: str
    """The arithmetic, for a person: what was multiplied by what."""
    inputs: dict[str, Any]
    defaults_used: tuple[str, ...]


def number(value: object) -> float | None:
    """A usable non-negative finite number, or None (wrong types are the schema's to report)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) and result >= 0 else None


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def choose_pue(resource: Mapping[str, Any], defaults: CarbonDefaults) -> Pue:
    stated = number(resource.get("pue"))
    if stated is not None:
        return Pue(stated, stated, stated, "resource record", None)
    resource_type = resource.get("resource_type")
    provider = resource.get("provider")
    if resource_type == "local":
        value, name = defaults.pue_local, "pue_local"
    elif resource_type == "cloud" and isinstance(provider, str) \
            and provider in defaults.pue_by_provider:
        value, name = defaults.pue_by_provider[provider], "pue_by_provider"
    else:
        value, name = defaults.pue, "pue"
    spread = defaults.pue_uncertainty
    return Pue(value, max(1.0, value * (1 - spread)), value * (1 + spread),
               f"default {_fmt(value)} ({defaults.source(name)})", name)


def duration_hours(utilisation: Mapping[str, Any]) -> float:
    raw = utilisation.get("duration_seconds")
    seconds = number(raw)
    if seconds is None:
        found = "nothing" if raw is None else repr(raw)
        raise UnusableInput(f"duration_seconds must be a number of seconds >= 0, found {found}",
                            "duration_seconds")
    return seconds / 3600


def _nodes(utilisation: Mapping[str, Any]) -> int:
    nodes = utilisation.get("nodes")
    if isinstance(nodes, int) and not isinstance(nodes, bool) and nodes >= 1:
        return nodes
    return 1


def energy_for(utilisation: Mapping[str, Any], resource: Mapping[str, Any],
               defaults: CarbonDefaults) -> EnergyEstimate:
    """The utilisation's energy: measured when recorded, otherwise estimated from hardware."""
    measured = number(utilisation.get("energy_consumption_kwh"))
    if measured is None:
        return estimate_from_hardware(utilisation, resource, defaults)
    duration_hours(utilisation)  # a measurement with an unusable duration is still suspect
    how = utilisation.get("energy_measurement")
    how = how if isinstance(how, dict) else {}
    source = how.get("source") if isinstance(how.get("source"), str) else "unspecified"
    inputs: dict[str, Any] = {"energy_consumption_kwh": measured, "measurement_source": source,
                              "includes_pue": how.get("includes_pue") is True}
    if how.get("includes_pue") is True:
        return EnergyEstimate(measured, measured, measured, MEASURED, "measured-energy", None,
                              "included in the measurement",
                              f"measured {_fmt(measured)} kWh ({source}, PUE included)",
                              inputs, ())
    pue = choose_pue(resource, defaults)
    inputs["pue"] = pue.value
    kwh = measured * pue.value
    return EnergyEstimate(
        kwh, measured * pue.low, measured * pue.high, MEASURED, "measured-energy", pue.value,
        pue.source, f"measured {_fmt(measured)} kWh ({source}) x PUE {_fmt(pue.value)} = "
                    f"{_fmt(kwh)} kWh", inputs, (pue.default,) if pue.default else ())


def estimate_from_hardware(utilisation: Mapping[str, Any], resource: Mapping[str, Any],
                           defaults: CarbonDefaults) -> EnergyEstimate:
    """The estimate from the resource's hardware alone, ignoring any measured energy."""
    hours = duration_hours(utilisation)
    wall = number(resource.get("power_consumption_watts"))
    if resource.get("resource_type") == "local" and wall is not None:
        return _wall_power(utilisation, resource, hours, wall, defaults)
    return _component_power(utilisation, resource, hours, defaults)


def _wall_power(utilisation: Mapping[str, Any], resource: Mapping[str, Any], hours: float,
                watts: float, defaults: CarbonDefaults) -> EnergyEstimate:
    nodes = _nodes(utilisation)
    pue = choose_pue(resource, defaults)
    base = watts * nodes * hours / 1000
    kwh = base * pue.value
    # Wall power is measured under full load, so it bounds the run from above; the components'
    # own draw at the recorded utilisation (no power-supply losses, fans, board) bounds it below.
    components = _component_power(utilisation, resource, hours, defaults)
    node_text = f" x {nodes} machines" if nodes > 1 else ""
    return EnergyEstimate(
        kwh, min(base * pue.low, components.low), base * pue.high, ESTIMATED, "wall-power",
        pue.value, pue.source,
        f"{_fmt(watts)} W (measured wall power){node_text} x {_fmt(hours)} h x PUE "
        f"{_fmt(pue.value)} = {_fmt(kwh)} kWh",
        {"hours": hours, "nodes": nodes, "power_consumption_watts": watts, "pue": pue.value,
         "low_bound": f"component power: {components.formula}"},
        (pue.default,) if pue.default else ())


class _Share(NamedTuple):
    value: float
    low: float
    high: float
    default: bool


def _utilisation_share(value: object, defaults: CarbonDefaults) -> _Share:
    percent = number(value)
    if percent is None:
        return _Share(1.0, defaults.unknown_utilisation_low_percent / 100, 1.0, True)
    percent = min(percent, 100.0)  # above 100 % is reported by the schema check
    tolerance = defaults.utilisation_tolerance_points
    return _Share(percent / 100, max(0.0, percent - tolerance) / 100,
                  min(100.0, percent + tolerance) / 100, False)


def _count(utilisation: Mapping[str, Any], used_key: str, resource: Mapping[str, Any],
           resource_key: str) -> int:
    for value in (utilisation.get(used_key), resource.get(resource_key)):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return 0


def _component_power(utilisation: Mapping[str, Any], resource: Mapping[str, Any], hours: float,
                     defaults: CarbonDefaults) -> EnergyEstimate:
    nodes = _nodes(utilisation)
    pue = choose_pue(resource, defaults)
    used: list[str] = [pue.default] if pue.default else []
    inputs: dict[str, Any] = {"hours": hours, "nodes": nodes}
    watts = low_watts = high_watts = 0.0
    terms: list[str] = []

    # (count used, count on the resource, power on the resource, default power, utilisation,
    # label, names of the inputs as the JSON reports them)
    processors = (
        ("gpus_used", "gpu_count", "gpu_power_watts", defaults.gpu_power_watts,
         "gpu_utilization_percent", "GPU", ("gpus", "gpu_power_watts")),
        ("cpu_cores_used", "cpu_cores", "cpu_power_watts_per_core",
         defaults.cpu_power_watts_per_core, "cpu_utilization_percent", "cores",
         ("cpu_cores", "cpu_power_watts_per_core")),
    )
    for used_key, count_key, power_key, default_power, share_key, label, names in processors:
        count = _count(utilisation, used_key, resource, count_key)
        if not count:
            continue
        unit_watts = number(resource.get(power_key))
        if unit_watts is None:
            unit_watts = default_power
            used.append(power_key)
        share = _utilisation_share(utilisation.get(share_key), defaults)
        if share.default:
            used.append(share_key)
        watts += count * unit_watts * share.value
        low_watts += count * unit_watts * share.low
        high_watts += count * unit_watts * share.high
        terms.append(f"{count} {label} x {_fmt(unit_watts)} W x {_fmt(share.value * 100)} %")
        inputs.update({names[0]: count, names[1]: unit_watts, share_key: share.value * 100})

    memory = number(utilisation.get("memory_usage_gb"))
    if memory is None:
        memory = number(resource.get("memory_gb"))
    if memory:
        memory_watts = memory * defaults.memory_power_watts_per_gb
        watts += memory_watts
        low_watts += memory_watts
        high_watts += memory_watts
        used.append("memory_power_watts_per_gb")
        terms.append(f"{_fmt(memory)} GB x {_fmt(defaults.memory_power_watts_per_gb)} W")
        inputs.update(memory_gb=memory,
                      memory_power_watts_per_gb=defaults.memory_power_watts_per_gb)

    inputs["pue"] = pue.value
    scale = hours * nodes / 1000
    kwh = watts * scale * pue.value
    node_text = f" x {nodes} nodes" if nodes > 1 else ""
    formula = (f"{_fmt(hours)} h{node_text} x ({' + '.join(terms) or '0 W'}) x PUE "
               f"{_fmt(pue.value)} = {_fmt(kwh)} kWh")
    return EnergyEstimate(kwh, low_watts * scale * pue.low, high_watts * scale * pue.high,
                          ESTIMATED, "component-power", pue.value, pue.source, formula, inputs,
                          tuple(dict.fromkeys(used)))
