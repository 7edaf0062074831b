"""Portable model files. A model offered only as pickle-based files is not portable: those run
code when loaded, the catalogue never loads them, and seed 001 says to avoid publishing only
opaque checkpoints. A ``.safetensors`` file must be one: its header is read with the
``safetensors`` library (tensor names, dtypes, shapes, metadata), so a renamed or truncated
file is refused, and the page can list what it holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from catalogue.load.artefacts import Resolver
from catalogue.load.safetensors_header import NotSafetensors, SafetensorsHeader, read_header
from catalogue.model.findings import Finding, error, warning
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import ArtefactError, Pointer, usable_pointers
from catalogue.model.records import Record

PICKLE_SUFFIXES = frozenset({".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib"})
PICKLE_NAMES = frozenset({"pytorch_model.bin", "training_args.bin"})
MODEL_ROLES = frozenset({"onnx", "weights", "checkpoint"})


class SafetensorsFile(NamedTuple):
    pointer: Pointer
    header: SafetensorsHeader | None
    problem: str | None


def is_pickle(pointer: Pointer) -> bool:
    return pointer.suffix in PICKLE_SUFFIXES or Path(pointer.name).name in PICKLE_NAMES


def safetensors_files(record: Record, resolver: Resolver) -> list[SafetensorsFile]:
    """Every .safetensors artefact whose bytes are here (local, or in the cache), with its
    header or why it cannot be read."""
    found = []
    for pointer in usable_pointers(record):
        if pointer.suffix != ".safetensors":
            continue
        try:
            path = resolver.resolve(record.folder, pointer)
        except ArtefactError:
            continue  # not here, or reported by the artefact check
        try:
            found.append(SafetensorsFile(pointer, read_header(path), None))
        except NotSafetensors as exc:
            found.append(SafetensorsFile(pointer, None, str(exc)))
    return found


def check_portability(record: Record, resolver: Resolver | None = None) -> Iterator[Finding]:
    if record.kind.name != "model" or record.status == DELETED:
        return
    model_files = [p for p in usable_pointers(record) if p.role in MODEL_ROLES or is_pickle(p)]
    pickled = [p for p in model_files if is_pickle(p)]
    if pickled and len(pickled) == len(model_files):
        names = ", ".join(Path(p.name).name for p in pickled)
        yield warning("portability", f"the model is offered only as pickle-based file(s) ({names}),"
                      " which run code when loaded and which the catalogue never loads; add a "
                      "portable artefact: model.onnx (role onnx) or model.safetensors (role "
                      "weights)", record.location(pickled[0].field), record.id, "artefacts")
    if resolver is None:
        return
    for file in safetensors_files(record, resolver):
        if file.problem is not None:
            where = f"artefacts[{file.pointer.field[-1]}]"
            yield error("safetensors", f"field '{where}': {file.pointer.name} is not a "
                        f"safetensors file: the safetensors library cannot read its header "
                        f"({file.problem}); save the weights with safetensors' save_file, or "
                        "list the file under its real name and media type",
                        record.location(file.pointer.field), record.id, where)
