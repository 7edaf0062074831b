"""Import a Croissant JSON-LD description (as Hugging Face, Kaggle and OpenML publish them) as a
dataset record (``omh import-croissant``), read with mlcroissant itself.

* name, description, version, date published, keywords -> the record's own fields;
* creators -> ``created_by`` when the catalogue holds them (by name or ORCID), the licence (an
  SPDX id, or a Creative Commons / SPDX URL) -> ``license``, ``citeAs`` ->
  ``related_publications``;
* file objects -> ``artefacts`` with their sha256 and size (a local file next to the Croissant
  file is hashed, and checked against the sha256 or md5 it states); file sets are named in the
  notes; the media types -> ``format``;
* record sets and fields -> ``columns`` with their types (nested fields as ``parent/child``,
  repeated ones as arrays, fields referring to an enumeration as categories); split record sets
  (``cr:Split``) -> ``splits``;
* the Responsible AI fields -> ``collection_method`` and ``ethical_considerations``.

mlcroissant is an optional extra (``pip install "open-models-hub[croissant]"``).
"""

from __future__ import annotations

from catalogue.importers.croissant_dataset.importer import import_croissant
from catalogue.importers.croissant_dataset.mapping import DATA_TYPES, size_bytes

__all__ = ["DATA_TYPES", "import_croissant", "size_bytes"]
