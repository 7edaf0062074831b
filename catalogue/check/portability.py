"""A model offered only as pickle-based files is not portable: those run code when loaded, the
catalogue never loads them, and seed 001 says to avoid publishing only opaque checkpoints."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from catalogue.check.context import CheckContext
from catalogue.model.findings import Finding, warning
from catalogue.model.pointers import Pointer, usable_pointers
from catalogue.model.records import Record

PICKLE_SUFFIXES = frozenset({".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib"})
PICKLE_NAMES = frozenset({"pytorch_model.bin", "training_args.bin"})
MODEL_ROLES = frozenset({"onnx", "weights", "checkpoint"})


def is_pickle(pointer: Pointer) -> bool:
    return pointer.suffix in PICKLE_SUFFIXES or Path(pointer.name).name in PICKLE_NAMES


def check_portability(record: Record) -> Iterator[Finding]:
    if record.kind.name != "model" or record.status == "deleted":
        return
    model_files = [p for p in usable_pointers(record) if p.role in MODEL_ROLES or is_pickle(p)]
    pickled = [p for p in model_files if is_pickle(p)]
    if pickled and len(pickled) == len(model_files):
        names = ", ".join(Path(p.name).name for p in pickled)
        yield warning("portability", f"the model is offered only as pickle-based file(s) ({names}),"
                      " which run code when loaded and which the catalogue never loads; add a "
                      "portable artefact: model.onnx (role onnx) or model.safetensors (role "
                      "weights)", record.location(pickled[0].field), record.id, "artefacts")


def check_portable_models(context: CheckContext) -> Iterable[Finding]:
    for record in context.records:
        yield from check_portability(record)
