"""Read the catalogue's ``mkdocs.yml``: the site's theme settings, and nothing else.

MkDocs reads its configuration with PyYAML's full loader, which runs what a ``!!python/...`` tag
names, and a configuration can name hooks, plugins and Markdown extensions: Python that would
run during ``omh build``. So the file is never handed to MkDocs. It is read here like a record
(the strict reader: no tags, no merge keys, a bounded size), checked against
``mkdocs.schema.json`` (theme name, language, features, palette), and only those values reach
the configuration the generator writes. A file with any finding yields no theme settings at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalogue.model.findings import Finding, Location, error
from catalogue.model.yaml_source import YamlError, read_yaml_file

THEME_FILE = "mkdocs.yml"
SCHEMA_FILE = "mkdocs.schema.json"


def load_theme(root: Path) -> tuple[dict[str, Any], list[Finding]]:
    """The ``theme`` settings of ``root``'s ``mkdocs.yml`` (empty when there is none), with
    what is wrong in the file."""
    path = root / THEME_FILE
    where = Location(THEME_FILE)
    if path.is_symlink():
        return {}, [error("symlink", f"{THEME_FILE} is a symlink; keep the theme settings in the "
                          "file itself", where)]
    if not path.is_file():
        return {}, []
    try:
        doc = read_yaml_file(path)
    except YamlError as exc:
        return {}, [error(exc.rule, exc.message, Location(THEME_FILE, exc.line, exc.column))]
    if not isinstance(doc.value, dict):
        return {}, [error("schema", f"{THEME_FILE} must be a mapping (theme: ...)", where)]
    from catalogue.load.schema_check import validate_document  # jsonschema, when there is a file

    findings = validate_document(doc, SCHEMA_FILE, THEME_FILE, None)
    if findings:
        return {}, findings
    theme = doc.value.get("theme")
    return (dict(theme) if isinstance(theme, dict) else {}), []
