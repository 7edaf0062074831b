"""The checks ``omh validate`` runs, in order: one list, one place to add a check."""

from __future__ import annotations

from collections.abc import Iterable

from catalogue.check.artefacts import check_artefacts
from catalogue.check.cards import check_cards
from catalogue.check.context import Check, CheckContext
from catalogue.check.parity import check_parity
from catalogue.check.placeholders import check_placeholders
from catalogue.check.references import check_links
from catalogue.check.rules import RECORD_RULES
from catalogue.model.findings import Finding


def record_rules(context: CheckContext) -> Iterable[Finding]:
    for record in context.records:
        for rule in RECORD_RULES:
            yield from rule(record)


def links(context: CheckContext) -> Iterable[Finding]:
    return check_links(context.records, context.store)


CHECKS: tuple[Check, ...] = (record_rules, links, check_artefacts, check_cards, check_parity,
                             check_placeholders)
