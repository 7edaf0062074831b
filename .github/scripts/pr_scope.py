"""What a pull request touches, for the pull-request workflow (written to $GITHUB_OUTPUT).

    python .github/scripts/pr_scope.py BASE_REF

prints ``everything=true|false`` (the change can affect every record: the settings, the schemas,
the checks' code), ``records=<ids>`` (the record folders touched, space-separated) and
``models=<ids>`` (the models touched that still exist, for ONNX parity). Ids are printed only if
they are plain slugs, so the workflow can split them safely; anything else makes
``everything=true``, and the full validation reports it. The kind folders come from the
installed ``catalogue`` package (the workflow installs it first).
"""

from __future__ import annotations

import sys
from pathlib import Path

from catalogue.load.git import GitError, git_paths
from catalogue.model.ids import is_slug
from catalogue.model.kinds import KINDS, KINDS_BY_FOLDER, RECORD_FILE, SETTINGS_FILE

MODELS_FOLDER = KINDS["model"].folder
CATALOGUE_WIDE = (SETTINGS_FILE, "schemas/", "catalogue/", "pyproject.toml")


def changed_files(base: str) -> list[str]:
    return git_paths(Path.cwd(), "diff", "--name-only", "--no-renames", "-z", f"{base}...HEAD")


def scope(files: list[str], root: Path) -> dict[str, str]:
    everything = False
    records: list[str] = []
    for name in files:
        if name.startswith(CATALOGUE_WIDE):
            everything = True
            continue
        parts = name.split("/")
        if parts[0] not in KINDS_BY_FOLDER:
            continue
        record_id = "/".join(parts[:2])
        if len(parts) < 3 or not is_slug(parts[1]):
            everything = True  # a stray file or a bad folder name: the full check reports it
            continue
        if record_id not in records:
            records.append(record_id)
    models = [r for r in records
              if r.startswith(f"{MODELS_FOLDER}/") and (root / r / RECORD_FILE).is_file()]
    return {"everything": "true" if everything else "false",
            "records": " ".join(records), "models": " ".join(models)}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: pr_scope.py BASE_REF", file=sys.stderr)
        return 2
    try:
        files = changed_files(argv[1])
    except GitError as exc:
        print(f"pr_scope.py: {exc}", file=sys.stderr)
        return 2
    for key, value in scope(files, Path.cwd()).items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
