"""The checks ``omh validate`` runs, in order: one list, one place to add a check."""

from __future__ import annotations

from collections.abc import Iterable

from .artefacts import check_artefacts
from .carbon import check_carbon_inputs
from .cards import check_cards
from .context import Check, CheckContext
from .findings import Finding
from .links import check_links
from .parity import check_parity
from .quality import check_quality_minimum
from .rules import RECORD_RULES
from .scaffold import check_placeholders


def record_rules(context: CheckContext) -> Iterable[Finding]:
    for record in context.records:
        for rule in RECORD_RULES:
            yield from rule(record)


def links(context: CheckContext) -> Iterable[Finding]:
    return check_links(context.records, context.store)


CHECKS: tuple[Check, ...] = (record_rules, links, check_carbon_inputs, check_artefacts,
                             check_cards, check_parity, check_placeholders,
                             check_quality_minimum)
