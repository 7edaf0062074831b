"""What a pull request touches, for the pull-request workflow (written to $GITHUB_OUTPUT).

    python .github/scripts/pr_scope.py BASE_REF

prints ``everything=true|false`` (the change can affect every record: the settings, the schemas,
the checks' code), ``records=<ids>`` (the record folders touched, space-separated) and
``models=<ids>`` (the models touched that still exist, for ONNX parity). Ids are printed only if
they are plain slugs, so the workflow can split them safely; anything else makes
``everything=true``, and the full validation reports it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

KIND_FOLDERS = ("models", "datasets", "experiments", "resources", "researchers", "organizations")
RECORD = re.compile(rf"^(?:{'|'.join(KIND_FOLDERS)})/[a-z0-9]+(?:-[a-z0-9]+)*$")
CATALOGUE_WIDE = ("catalogue.yaml", "schemas/", "catalogue/", "pyproject.toml")


def changed_files(base: str) -> list[str]:
    output = subprocess.run(["git", "diff", "--name-only", "--no-renames", "-z", f"{base}...HEAD"],
                            check=True, capture_output=True).stdout
    return [name for name in output.decode("utf-8", "replace").split("\0") if name]


def scope(files: list[str], root: Path) -> dict[str, str]:
    everything = False
    records: list[str] = []
    for name in files:
        if name.startswith(CATALOGUE_WIDE):
            everything = True
            continue
        parts = name.split("/")
        if parts[0] not in KIND_FOLDERS:
            continue
        record_id = "/".join(parts[:2])
        if len(parts) < 3 or not RECORD.match(record_id):
            everything = True  # a stray file or a bad folder name: the full check reports it
            continue
        if record_id not in records:
            records.append(record_id)
    models = [r for r in records
              if r.startswith("models/") and (root / r / "record.yaml").is_file()]
    return {"everything": "true" if everything else "false",
            "records": " ".join(records), "models": " ".join(models)}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: pr_scope.py BASE_REF", file=sys.stderr)
        return 2
    for key, value in scope(changed_files(argv[1]), Path.cwd()).items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
