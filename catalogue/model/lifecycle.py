"""A record's lifecycle (the data life plan): ``status: active | deprecated | deleted``.

An active record has its metadata and files. A deprecated one keeps its files, with a notice
that says why (``status_reason``) and names what replaces it (``replaced_by``, recommended).
A deleted one keeps its metadata page, so citations still resolve, but lists no files, and says
why. Only a deprecated or deleted record gives a reason or a replacement. The validation rule
and the quality score both read these facts from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ACTIVE = "active"
DEPRECATED = "deprecated"
DELETED = "deleted"
STATUSES = (ACTIVE, DEPRECATED, DELETED)
"""The order of ``lifecycle_status`` in defs.schema.json (a test holds them together)."""
RETIRED = (DEPRECATED, DELETED)
STATUS_FIELD = "status"
REASON_FIELD = "status_reason"
REPLACEMENT_FIELD = "replaced_by"


def status_of(data: Mapping[str, Any]) -> str:
    status = data.get(STATUS_FIELD, ACTIVE)
    return status if isinstance(status, str) else ACTIVE


def has_reason(data: Mapping[str, Any]) -> bool:
    reason = data.get(REASON_FIELD)
    return isinstance(reason, str) and bool(reason.strip())


def has_replacement(data: Mapping[str, Any]) -> bool:
    return bool(data.get(REPLACEMENT_FIELD))


def missing_reason(data: Mapping[str, Any]) -> bool:
    """A deprecated or deleted record must say why."""
    return status_of(data) in RETIRED and not has_reason(data)


def missing_replacement(data: Mapping[str, Any]) -> bool:
    """A deprecated record should tell readers what to use instead (a recommendation: not
    everything has a successor)."""
    return status_of(data) == DEPRECATED and not has_replacement(data)


def misplaced_field(data: Mapping[str, Any]) -> str | None:
    """``status_reason`` or ``replaced_by`` on a record that is not retired."""
    if status_of(data) in RETIRED:
        return None
    return next((name for name in (REPLACEMENT_FIELD, REASON_FIELD) if name in data), None)


def keeps_files(status: str) -> bool:
    """Whether a record in this status offers its files (a deleted one does not)."""
    return status != DELETED
