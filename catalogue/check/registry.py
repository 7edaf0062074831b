"""The checks ``omh validate`` runs, in order: one list, one place to add a check."""

from __future__ import annotations

from collections.abc import Iterable

from catalogue.check.artefacts import check_artefacts
from catalogue.check.card_file import check_card_files
from catalogue.check.context import Check, CheckContext
from catalogue.check.labels import check_class_labels
from catalogue.check.model_card import check_model_cards
from catalogue.check.parity_check import check_parity
from catalogue.check.placeholders import check_placeholders
from catalogue.check.portability import check_portable_models
from catalogue.check.references import check_links
from catalogue.check.rules import RECORD_RULES
from catalogue.check.sensitive import check_sensitive
from catalogue.model.findings import Finding


def record_rules(context: CheckContext) -> Iterable[Finding]:
    for record in context.records:
        for rule in RECORD_RULES:
            yield from rule(record)


def links(context: CheckContext) -> Iterable[Finding]:
    return check_links(context.records, context.store)


CHECKS: tuple[Check, ...] = (record_rules, links, check_artefacts, check_card_files,
                             check_model_cards, check_class_labels, check_sensitive,
                             check_portable_models, check_parity, check_placeholders)
