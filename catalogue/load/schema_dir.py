"""Where the JSON Schemas are: in the package when it is installed from a wheel (see pyproject's
package-dir), in a checkout the repository's top-level ``schemas/`` folder. Apart from
``schema_check`` so that naming them (for a cache's version) does not load the validator."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # catalogue/
SCHEMA_DIR = next((d for d in (_PACKAGE_DIR / "schemas", _PACKAGE_DIR.parent / "schemas")
                   if d.is_dir()), _PACKAGE_DIR.parent / "schemas")
