"""The JavaScript libraries the site serves from its own files, and where they are installed.

They come from npm at the versions pinned in ``package.json`` / ``package-lock.json``
(``npm ci`` installs them into ``node_modules/``); the build copies the one file it needs from
each into ``assets/vendor/``. Nothing is ever loaded from a CDN.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

NODE_MODULES_ENV = "OMH_NODE_MODULES"
PROJECT_DIR = Path(__file__).resolve().parent.parent


class VendorFile(NamedTuple):
    package: str
    file: str
    """Inside the package's folder."""
    site_path: str
    """Where the site serves it."""


VENDOR_FILES = (
    VendorFile("chart.js", "dist/chart.umd.min.js", "assets/vendor/chart.umd.min.js"),
)


class MissingAssets(Exception):
    """The JavaScript libraries are not installed."""


def candidate_folders(root: Path) -> list[Path]:
    folders = []
    if os.environ.get(NODE_MODULES_ENV):
        folders.append(Path(os.environ[NODE_MODULES_ENV]))
    folders += [root / "node_modules", PROJECT_DIR / "node_modules", Path.cwd() / "node_modules"]
    return list(dict.fromkeys(f.resolve() for f in folders))


def find_vendor_files(root: Path, node_modules: Path | None = None) -> dict[str, Path]:
    """site path -> installed file, or ``MissingAssets`` saying how to install them."""
    folders = [node_modules.resolve()] if node_modules else candidate_folders(root)
    for folder in folders:
        found = {v.site_path: folder / v.package / v.file for v in VENDOR_FILES}
        if all(path.is_file() for path in found.values()):
            return found
    wanted = ", ".join(f"{v.package}/{v.file}" for v in VENDOR_FILES)
    raise MissingAssets(
        f"the site's JavaScript libraries are not installed (looked for {wanted} in "
        f"{', '.join(str(f) for f in folders)}); run `npm ci --ignore-scripts` in "
        f"{PROJECT_DIR} (or set {NODE_MODULES_ENV} to a node_modules folder)")


def vendor_versions(files: dict[str, Path]) -> dict[str, str]:
    """package -> installed version, read from each package's package.json."""
    versions = {}
    for vendor in VENDOR_FILES:
        manifest = files[vendor.site_path].parents[len(Path(vendor.file).parts) - 1] / \
            "package.json"
        try:
            versions[vendor.package] = str(json.loads(manifest.read_text())["version"])
        except (OSError, ValueError, KeyError):
            versions[vendor.package] = "unknown"
    return versions
