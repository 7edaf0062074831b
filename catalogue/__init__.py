"""Open Models Hub: the catalogue's domain, one sub-package per stage of the pipeline.

``model`` (kinds, records, findings, pointers, settings) -> ``load`` (YAML, schemas, settings,
artefact bytes) -> ``link`` (the catalogue and its graph) -> ``check`` (one module per family of
checks) -> ``derive`` (quality, carbon) -> ``gates`` (rules on derived figures) -> ``standards``
(JSON-LD, DataCite, citations, DCAT) -> ``importers``. Each stage imports only earlier ones
(import-linter contracts in ``pyproject.toml``); ``catalogue.pipeline`` alone knows the order.
The ``omh`` command and the site generator live outside this package.
"""

__version__ = "0.1.0"
