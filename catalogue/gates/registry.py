"""The gates ``omh validate`` runs after the checks: rules about derived figures (the carbon
inputs those figures cannot trust, the quality minimum), in order."""

from __future__ import annotations

from collections.abc import Iterable

from catalogue.check.context import Check, CheckContext, FolderCheck
from catalogue.gates.carbon_inputs import check_carbon_inputs, check_card_emissions
from catalogue.model.findings import Finding


def quality_minimum(context: CheckContext) -> Iterable[Finding]:
    """``check_quality_minimum``, whose module (every quality criterion) is imported only when
    ``catalogue.yaml`` sets a minimum: without one the gate finds nothing, and the pre-commit
    hook need not load it."""
    if context.store.settings.quality.minimum_score <= 0:
        return ()
    from catalogue.gates.quality_minimum import check_quality_minimum

    return check_quality_minimum(context)


GATES: tuple[Check, ...] = (check_carbon_inputs, quality_minimum)
FOLDER_GATES: tuple[FolderCheck, ...] = (check_card_emissions,)
"""The gates' checks of one record's own folder: run with the checks' (``own_folder_checks``)."""
