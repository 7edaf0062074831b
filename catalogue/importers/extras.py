"""The importers' optional dependencies: each producer's library is an extra of the package
(``pip install "open-models-hub[mlflow]"``), imported only when its command runs, so that the
base install stays light and a missing extra is named instead of a traceback."""

from __future__ import annotations

import importlib
from types import ModuleType

from catalogue.importers.result import ImportRefused

EXTRAS = {"mlflow": "mlflow", "sqlalchemy": "mlflow", "alembic": "mlflow",
          "codecarbon": "codecarbon", "pycountry": "codecarbon", "mlcroissant": "croissant"}


class MissingExtra(ImportRefused):
    """A library an importer needs is not installed; the message says which extra brings it."""


def require(module: str, command: str) -> ModuleType:
    """``module`` imported, or ``MissingExtra`` naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        extra = EXTRAS.get(top) or EXTRAS.get((exc.name or "").split(".")[0], top)
        raise MissingExtra(f"{command} needs {top}, which is not installed ({exc}); install it "
                           f"with: pip install \"open-models-hub[{extra}]\"") from None
