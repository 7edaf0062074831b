"""The MkDocs configuration of a build, written into a work folder outside the repository.

It inherits the repository's ``mkdocs.yml`` (theme, palette, features: MkDocs' own ``INHERIT``
merge) and fixes what the generator relies on: Material with its web fonts off (no request to
Google Fonts), our theme overrides, the short navigation, the ``omh`` plugin, and an empty
``docs_dir`` (every page comes from the catalogue). The site's search is its own (Pagefind, run
by the ``omh`` plugin); Material's built-in ``search`` plugin is only added with
``material_search``, for the benchmark that compares the two on the same site.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markupsafe import escape

from catalogue.model.settings import Settings

THEME_DIR = Path(__file__).resolve().parent / "theme"
CONFIG_NAME = "mkdocs.yml"
PLUGIN = "omh"
DEFAULT_THEME: dict[str, Any] = {
    "features": ["navigation.tabs", "navigation.top", "search.suggest", "search.highlight",
                 "toc.follow"],
    "palette": {"primary": "indigo", "accent": "teal"},
}


def mkdocs_config(root: Path, site_dir: Path, docs_dir: Path, settings: Settings,
                  nav: list[tuple[str, str]], *, csp: bool = True,
                  node_modules: Path | None = None,
                  material_search: bool = False) -> dict[str, Any]:
    user_config = root / CONFIG_NAME
    plugin: dict[str, Any] = {"root": str(root), "csp": csp}
    if node_modules is not None:
        plugin["node_modules"] = str(node_modules)
    config: dict[str, Any] = {
        # Material prints site_name and site_description without escaping them.
        "site_name": str(escape(settings.title)),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": True,
        "theme": {"name": "material", "font": False, "custom_dir": str(THEME_DIR)},
        "nav": [{title: f"{path}index.md"} for title, path in nav],
        "plugins": [*(["search"] if material_search else []), {PLUGIN: plugin}],
        "markdown_extensions": [],
        "extra_css": [],
        "extra_javascript": [],
        "validation": {"nav": {"omitted_files": "ignore", "not_found": "warn"}},
    }
    if settings.description:
        config["site_description"] = str(escape(" ".join(settings.description.split())))
    if settings.site_url:
        config["site_url"] = settings.site_url
    if user_config.is_file():
        config["INHERIT"] = str(user_config)
    else:
        config["theme"].update(DEFAULT_THEME)
    return config


def write_config(work: Path, root: Path, site_dir: Path, settings: Settings,
                 nav: list[tuple[str, str]], *, csp: bool = True,
                 node_modules: Path | None = None, material_search: bool = False) -> Path:
    """Write the configuration (JSON, which is YAML) into ``work``; returns its path."""
    docs_dir = work / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    path = work / CONFIG_NAME
    config = mkdocs_config(root, site_dir, docs_dir, settings, nav, csp=csp,
                           node_modules=node_modules, material_search=material_search)
    path.write_text(json.dumps(config, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
    return path
