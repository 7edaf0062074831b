"""A model's ONNX parity status in one word, from its committed report (never by running it),
for the analyses that put it beside a score or count it as reproducibility evidence."""

from __future__ import annotations

from catalogue.check.parity import FAILED, PASSED, onnx_pointers, read_report, stale_reasons
from catalogue.model.records import Record

STALE = "stale"
NO_ONNX = "no ONNX file"
NOT_CHECKED = "not checked"


def parity_status(model: Record) -> str:
    """``passed``, ``failed``, ``stale``, ``not checked`` or ``no ONNX file``."""
    if not onnx_pointers(model):
        return NO_ONNX
    report, problem = read_report(model)
    if problem is not None:
        return FAILED
    if report is None:
        return NOT_CHECKED
    if stale_reasons(model, report):
        return STALE
    return PASSED if str(report.get("status", "")) == PASSED else FAILED
