"""Where the catalogue's git-ignored cache lives: ``artefacts.cache_dir`` under the root, or
``OMH_CACHE_DIR`` when set. Downloaded artefacts and ``omh validate``'s reference index share it."""

from __future__ import annotations

import os
from pathlib import Path

from catalogue.model.settings import ArtefactSettings

CACHE_ENV = "OMH_CACHE_DIR"


def cache_location(root: Path, settings: ArtefactSettings) -> tuple[Path, Path | None]:
    """The cache folder, and the catalogue root when the folder is inside it (no folder between
    the two may then be a symlink: a committed one would make writes land outside the
    repository); ``None`` when ``OMH_CACHE_DIR`` puts it elsewhere."""
    env_dir = os.environ.get(CACHE_ENV)
    if env_dir:
        return Path(env_dir), None
    return root / settings.cache_dir, root


def committed(folder: Path, within: Path | None) -> bool:
    """Whether git tracks a file under ``folder`` in the repository ``within``: a cache that was
    committed is never trusted (it would be anyone's, not this machine's own)."""
    if within is None or not folder.exists():
        return False
    from catalogue.load.git import GitError, git_paths

    try:
        return bool(git_paths(within, "ls-files", "-z", "--", str(folder)))
    except GitError:
        return False
