"""The gates ``omh validate`` runs after the checks: rules about derived figures (the carbon
inputs those figures cannot trust, the quality minimum), in order."""

from __future__ import annotations

from catalogue.check.context import Check
from catalogue.gates.carbon_inputs import check_carbon_inputs
from catalogue.gates.quality_minimum import check_quality_minimum

GATES: tuple[Check, ...] = (check_carbon_inputs, check_quality_minimum)
