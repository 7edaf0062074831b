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


def _local(root: Path, name: str, content: bytes) -> Path:
    from conftest import MODEL_CARD, minimal_records, write_record
    from parity_helpers import sha256

    records = minimal_records()
    records["models/test-model"]["artefacts"] = [{
        "path": name, "sha256": sha256(content), "size_bytes": len(content),
        "media_type": "application/octet-stream", "role": "weights"}]
    write_record(root, "models/test-model", records["models/test-model"], card=MODEL_CARD)
    (root / "models/test-model" / name).write_bytes(content)
    return root


def test_a_fake_safetensors_file_is_refused(tmp_path: Path) -> None:
    root = _local(model_catalogue(tmp_path), "model.safetensors",
                  b"this is not a real model!!!\n\n")
    (finding,) = [f for f in findings_for(root) if f.severity == "error"]
    assert finding.rule == "safetensors"
    assert finding.location.path == "models/test-model/record.yaml"
    assert "field 'artefacts[0]': model.safetensors is not a safetensors file: the " \
           "safetensors library cannot read its header (Error while deserializing header: " \
           in finding.message


def test_a_real_safetensors_file_is_read_from_its_header(tmp_path: Path) -> None:
    import numpy as np
    from safetensors.numpy import save

    from catalogue.check.portability import safetensors_files
    from catalogue.load.artefacts import Resolver
    from catalogue.load.store import RecordStore

    content = save({"encoder.weight": np.zeros((4, 3), np.float16),
                          "encoder.bias": np.zeros(4, np.float32)},
                         metadata={"format": "pt", "class_names": '["first", "second"]'})
    root = _local(model_catalogue(tmp_path), "model.safetensors", content)
    assert [f for f in findings_for(root) if f.severity == "error"] == []
    record = RecordStore(root).get("models/test-model")
    assert record is not None
    (file,) = safetensors_files(record, Resolver(root / ".cache"))
    assert file.problem is None and file.header is not None
    assert [(t.name, t.dtype, t.shape) for t in file.header.tensors] == [
        ("encoder.bias", "F32", (4,)), ("encoder.weight", "F16", (4, 3))]
    assert file.header.metadata["class_names"] == '["first", "second"]'
    assert file.header.parameters == 16
