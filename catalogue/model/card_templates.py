"""Where huggingface_hub's model and dataset card templates are, found without importing the
package (which costs a pre-commit hook a tenth of a second): their stock sentences are filler
(``card_prose``), and what a card's sections hold depends on them (``record_cache``)."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

TEMPLATES = ("modelcard_template.md", "datasetcard_template.md")


@functools.cache
def template_files() -> tuple[Path, ...]:
    """The templates that are installed."""
    spec = importlib.util.find_spec("huggingface_hub")
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    found = (next((Path(p) / "templates" / name for p in places
                   if (Path(p) / "templates" / name).is_file()), None) for name in TEMPLATES)
    return tuple(path for path in found if path is not None)
