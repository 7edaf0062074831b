#!/usr/bin/env bash
# Regenerate the lock files every workflow installs from: each dependency of pyproject.toml (and
# of its `test` extra), transitively, at one version, with the sha256 of every file PyPI holds
# for it, so that `pip install --require-hashes` refuses anything else. Run it after changing a
# dependency in pyproject.toml (pip-tools is in the `test` extra); extra arguments go to
# pip-compile, e.g. `--upgrade`, or `-c constraints.txt` to keep the versions of a tested
# environment (`pip freeze`).
set -euo pipefail
cd "$(dirname "$0")/.."
# --all-build-deps: setuptools too, so that the project installs with --no-build-isolation from
# the lock alone.
common=(--quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps
        --no-emit-index-url --no-emit-find-links --index-url https://pypi.org/simple)
pip-compile "${common[@]}" "$@" -o requirements/base.txt pyproject.toml
pip-compile "${common[@]}" "$@" --extra test -o requirements/test.txt pyproject.toml
# The project itself (which the test extra names for its own extras) is installed from its
# checkout with --no-deps, not from the lock; a constraints file given above is no part of it.
for lock in requirements/base.txt requirements/test.txt; do
    sed -i -E -e '/^# WARNING: pip install will require/d' -e '/^# Consider using a hashable URL/d' \
        -e '/^open-models-hub @ /,/^    # via/d' -e '/^ *#( via)? +-c /d' -e 's/ --constraint=[^ ]+//' \
        "$lock"
done
