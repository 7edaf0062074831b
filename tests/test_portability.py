"""A model offered only as pickle-based files gets a warning; one portable artefact is enough."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from card_helpers import model_catalogue
from conftest import findings_for


def _pointer(name: str, role: str) -> dict[str, Any]:
    return {"url": f"https://data.example/{name}", "sha256": "a" * 64, "size_bytes": 1,
            "media_type": "application/octet-stream", "role": role}


def test_a_package_of_only_pickles_is_not_portable(tmp_path: Path) -> None:
    root = model_catalogue(tmp_path, artefacts=[_pointer("model.pt", "weights"),
                                           _pointer("model.ckpt", "checkpoint")])
    (finding,) = findings_for(root)
    assert finding.rule == "portability" and finding.severity == "warning"
    assert "only as pickle-based file(s) (model.pt, model.ckpt)" in finding.message
    assert "model.onnx" in finding.message


def test_pickles_next_to_a_portable_artefact_are_fine(tmp_path: Path) -> None:
    root = model_catalogue(tmp_path, artefacts=[
        _pointer("model.pt", "weights"), _pointer("model.safetensors", "weights")])
    assert findings_for(root) == []
