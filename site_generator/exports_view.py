"""Machine-readable metadata beside each asset page: the record's JSON-LD, embedded in the page
(template block ``jsonld`` of ``record.html``), and its export files (``metadata.jsonld``,
``croissant.json``, ``datacite.xml``, citations), published at ``/<kind folder>/<slug>/<name>``
and listed under "Metadata exports". The mappings themselves live in ``catalogue``."""

from __future__ import annotations

from typing import Any, NamedTuple

from catalogue.model.records import Record
from catalogue.standards.exports import asset_exports
from catalogue.standards.jsonld import LinkedData


class PageExports(NamedTuple):
    jsonld: dict[str, Any] | None
    """The record as Schema.org JSON-LD, embedded in the page."""
    files: dict[str, str]
    """File name -> content, published beside the page and offered for download."""


def page_exports(record: Record, linked: LinkedData) -> PageExports:
    """The embedded JSON-LD (kept small for very large schemas) and the export files."""
    return PageExports(linked.record(record, embedded=True), asset_exports(record, linked))
