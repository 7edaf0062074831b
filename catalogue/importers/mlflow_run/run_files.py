"""A run's artefacts: the environment MLflow logged with a model (``python_env.yaml``,
``requirements.txt``, ``conda.yaml``), and the files themselves, listed with their sha256 and
size once copied into the record's folder."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import yaml

ENVIRONMENT_FILES = ("python_env.yaml", "requirements.txt", "conda.yaml")
MAX_LISTED = 2000
"""A run with more files than this is listed up to here (a note says so)."""
COPY_FOLDER = "run-artefacts"
PICKLE_SUFFIXES = frozenset({".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".bin"})
MEDIA_TYPES = {".onnx": "application/onnx", ".yaml": "application/yaml",
               ".yml": "application/yaml", ".json": "application/json",
               ".parquet": "application/vnd.apache.parquet", ".npz": "application/x-npz",
               ".safetensors": "application/octet-stream", ".csv": "text/csv",
               ".txt": "text/plain", ".md": "text/markdown", ".py": "text/x-python"}
ROLES = ((re.compile(r"\.onnx$"), "onnx"),
         (re.compile(r"(^|/)(requirements\.txt|conda\.yaml|python_env\.yaml)$"), "environment"),
         (re.compile(r"(^|/)MLmodel$|\.(json|ya?ml|toml|cfg|ini)$"), "config"),
         (re.compile(r"\.(safetensors|h5|keras)$"), "weights"),
         (re.compile(r"\.py$"), "training-code"),
         (re.compile(r"\.ipynb$"), "notebook"),
         (re.compile(r"\.(md|txt|html|png|jpe?g|svg|pdf)$"), "documentation"),
         (re.compile(r"\.(csv|parquet|npz|npy|arrow)$"), "data"))


class RunFile(NamedTuple):
    path: str
    size: int | None


def list_files(mlflow_client: Any, run_id: str, notes: list[str]) -> list[RunFile]:
    """Every file the run logged (breadth first, at most ``MAX_LISTED``)."""
    files: list[RunFile] = []
    folders = [""]
    while folders and len(files) < MAX_LISTED:
        folder = folders.pop(0)
        for info in mlflow_client.list_artifacts(run_id, folder or None):
            if info.is_dir:
                folders.append(info.path)
            else:
                files.append(RunFile(info.path, info.file_size))
    if folders or len(files) > MAX_LISTED:
        notes.append(f"artefacts: the run has more than {MAX_LISTED} files; only the first are "
                     "listed")
    return sorted(files[:MAX_LISTED])


def download(mlflow_client: Any, run_id: str, path: str, folder: Path) -> Path:
    return Path(mlflow_client.download_artifacts(run_id, path, str(folder)))


def _requirements(text: str) -> list[str]:
    packages = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            packages.append(line)
    return packages


def environment(mlflow_client: Any, run_id: str, files: list[RunFile],
                notes: list[str]) -> dict[str, Any] | None:
    """``environment_specification`` from the first folder holding MLflow's environment files."""
    by_folder: dict[str, dict[str, str]] = {}
    for item in files:
        name = PurePosixPath(item.path)
        if name.name in ENVIRONMENT_FILES:
            by_folder.setdefault(str(name.parent), {})[name.name] = item.path
    if not by_folder:
        return None
    folder, found = sorted(by_folder.items(), key=lambda kv: (kv[0].count("/"), kv[0]))[0]
    spec: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        texts = {name: download(mlflow_client, run_id, path, Path(scratch)).read_text("utf-8")
                 for name, path in found.items()}
    try:
        python_env = yaml.safe_load(texts.get("python_env.yaml", "")) or {}
        conda = yaml.safe_load(texts.get("conda.yaml", "")) or {}
    except yaml.YAMLError as exc:
        notes.append(f"environment_specification: {folder}: cannot read MLflow's environment "
                     f"file ({exc}); write it by hand")
        return None
    python = python_env.get("python") if isinstance(python_env, dict) else None
    packages = _requirements(texts.get("requirements.txt", ""))
    if isinstance(conda, dict):
        for dependency in conda.get("dependencies") or []:
            if isinstance(dependency, str) and dependency.startswith("python="):
                python = python or dependency.split("=", 1)[1]
            elif isinstance(dependency, dict) and not packages:
                packages = [str(p) for p in dependency.get("pip") or []
                            if not str(p).startswith("-")]
    if isinstance(python, str | float) and re.match(r"^\d+\.\d+(\.\d+)?$", str(python)):
        spec["python_version"] = str(python)
    if packages:
        spec["packages"] = packages
    if spec:
        where = folder if folder != "." else "the run's artefacts"
        notes.append(f"environment_specification: from {', '.join(sorted(found))} in {where}")
    return spec or None


def role_of(path: str) -> str:
    return next((role for pattern, role in ROLES if pattern.search(path)), "other")


def media_type(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    if PurePosixPath(path).name == "MLmodel":
        return "application/yaml"
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def artefacts(mlflow_client: Any, run_id: str, files: list[RunFile], copy: bool,
              copy_limit_bytes: int, notes: list[str]) -> tuple[list[dict[str, Any]],
                                                                dict[str, bytes]]:
    """The artefact pointers and the bytes to write beside the record: each file the run logged,
    copied when ``copy`` (and not a pickle, and under the limit), otherwise named in the notes
    with how to publish it."""
    pointers: list[dict[str, Any]] = []
    copies: dict[str, bytes] = {}
    left: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        for item in files:
            suffix = PurePosixPath(item.path).suffix.lower()
            if suffix in PICKLE_SUFFIXES:
                notes.append(f"artefacts: {item.path} is a pickle (the catalogue never loads "
                             "one); export the model to ONNX or safetensors and list that")
                continue
            if not copy or (item.size or 0) > copy_limit_bytes:
                left.append(f"{item.path} ({item.size if item.size is not None else '?'} B)")
                continue
            content = download(mlflow_client, run_id, item.path, Path(scratch)).read_bytes()
            if len(content) > copy_limit_bytes:
                left.append(f"{item.path} ({len(content)} B)")
                continue
            target = f"{COPY_FOLDER}/{item.path}"
            copies[target] = content
            pointers.append({"path": target, "sha256": hashlib.sha256(content).hexdigest(),
                             "size_bytes": len(content), "media_type": media_type(item.path),
                             "role": role_of(item.path)})
    if left:
        how = ("larger than the copy limit (--copy-limit-mb)" if copy
               else "not copied (pass --copy-artefacts to copy small files into the record)")
        notes.append(f"artefacts: {len(left)} file(s) {how}: {', '.join(left[:10])}"
                     f"{' ...' if len(left) > 10 else ''}; publish them and list each by url "
                     "with its sha256 and size_bytes")
    return pointers, copies
