"""Offline parity as ``omh validate`` runs it: the features each tensor entry of a model
describes, and for a model with ONNX artefacts what ``catalogue.check.parity`` finds (its run on
the samples, or its committed report). That module, and what reads and runs ONNX, is imported
only when a model in scope has an ONNX artefact; models without ONNX are left to
``omh parity`` to report."""

from __future__ import annotations

from collections.abc import Iterable

from catalogue.check.context import CheckContext
from catalogue.check.onnx_features import feature_problems, onnx_pointers
from catalogue.load.artefacts import Resolver
from catalogue.model.findings import Finding, error
from catalogue.model.lifecycle import DELETED
from catalogue.model.yaml_source import format_path


def check_parity(context: CheckContext) -> Iterable[Finding]:
    settings = context.store.settings
    resolver = Resolver.from_settings(context.store.root, settings.artefacts)
    for record in context.records:
        if record.kind.name != "model" or record.status == DELETED:
            continue
        for problem in feature_problems(record.data):
            where = problem.field or ()
            yield error(problem.rule, problem.message, record.location(where), record.id,
                        format_path(where))
        models = onnx_pointers(record)
        if models:
            from catalogue.check.parity import parity_findings

            yield from parity_findings(record, models, resolver, settings.parity)
