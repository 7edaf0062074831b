"""The MkDocs configuration of a build, written into a work folder outside the repository.

The generator writes all of it: the theme settings of the repository's ``mkdocs.yml`` (language,
features, palette: read and checked by the pipeline's ``load_theme``, never by MkDocs, whose
loader would run YAML tags and whose configuration could name hooks, plugins and extensions),
and what the generator relies on: Material with its web fonts off (no request to Google Fonts),
our theme overrides, the short navigation, the ``omh`` plugin, and an empty ``docs_dir`` (every
page comes from the catalogue). The site's search is its own (Pagefind, run
by the ``omh`` plugin); Material's built-in ``search`` plugin is only added with
``material_search``, for the benchmark that compares the two on the same site.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalogue.model.settings import Settings

THEME_DIR = Path(__file__).resolve().parent / "theme"
CONFIG_NAME = "mkdocs.yml"
THEME_OPTIONS = ("language", "features", "palette")
"""What the repository's ``mkdocs.yml`` may set (``mkdocs.schema.json`` says the same)."""
PLUGIN = "omh"
DEFAULT_THEME: dict[str, Any] = {
    "features": ["navigation.tabs", "navigation.top", "search.suggest", "search.highlight",
                 "toc.follow"],
    "palette": {"primary": "indigo", "accent": "teal"},
}


def mkdocs_config(root: Path, site_dir: Path, docs_dir: Path, settings: Settings,
                  nav: list[tuple[str, str]], *, theme: Mapping[str, Any] | None = None,
                  live_reload_nonce: str | None = None, node_modules: Path | None = None,
                  material_search: bool = False,
                  plugin_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    plugin: dict[str, Any] = {"root": str(root), **(plugin_options or {})}
    if live_reload_nonce is not None:
        plugin["live_reload_nonce"] = live_reload_nonce
    if node_modules is not None:
        plugin["node_modules"] = str(node_modules)
    config: dict[str, Any] = {
        # Printed by the theme's templates, which escape them (see plugin.on_env).
        "site_name": settings.title,
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
        config["site_description"] = " ".join(settings.description.split())
    if settings.site_url:
        config["site_url"] = settings.site_url
    chosen = {k: v for k, v in (theme or {}).items() if k in THEME_OPTIONS}
    config["theme"].update(chosen or DEFAULT_THEME)
    return config


def write_config(work: Path, root: Path, site_dir: Path, settings: Settings,
                 nav: list[tuple[str, str]], *, theme: Mapping[str, Any] | None = None,
                 live_reload_nonce: str | None = None, node_modules: Path | None = None,
                 material_search: bool = False,
                 plugin_options: Mapping[str, Any] | None = None) -> Path:
    """Write the configuration (JSON, which is YAML) into ``work``; returns its path."""
    docs_dir = work / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    path = work / CONFIG_NAME
    config = mkdocs_config(root, site_dir, docs_dir, settings, nav, theme=theme,
                           live_reload_nonce=live_reload_nonce, node_modules=node_modules,
                           material_search=material_search, plugin_options=plugin_options)
    path.write_text(json.dumps(config, indent=2, ensure_ascii=True, allow_nan=False) + "\n",
                    encoding="utf-8")
    return path
