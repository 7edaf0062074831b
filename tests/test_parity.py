"""ONNX packages and parity on real files: the example Iris package passes; perturbed reference
outputs, wrong checksums, a signature that disagrees with the record and external data outside
the package fail with the numbers a contributor needs; the evidence file is written and
checked; remote packages come from a local server."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from conftest import findings_for
from onnx import numpy_helper
from parity_helpers import (
    COMMIT,
    IRIS,
    REPO,
    artefact,
    artefact_server,
    edit_record,
    iris_catalogue,
    load_npz,
    npz_bytes,
    pointer,
    read_record,
    replace_file,
    sha256,
    tiny_model,
    tiny_record,
    with_external_location,
    write_yaml,
)

from catalogue.check.parity import PASSED, REPORT_FILE, evaluate_model, read_report
from catalogue.load.artefacts import Resolver
from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding
from omh.cli import main


def parity(root: Path, *args: str) -> tuple[int, str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["parity", "--root", str(root), *args])
    return code, out.getvalue()


def errors(root: Path) -> list[Finding]:
    return [f for f in findings_for(root) if f.severity == "error"]


@pytest.fixture
def iris(tmp_path: Path) -> Path:
    return iris_catalogue(tmp_path / "catalogue")


# -- the example package -------------------------------------------------------------------


def test_the_example_package_passes(iris: Path) -> None:
    code, out = parity(iris)
    assert code == 0, out
    assert f"{IRIS}: passed (model.onnx (opset 17): passed on 36 sample(s) in 2 case(s)" in out
    assert "0 error(s), 0 warning(s)" in out
    assert findings_for(iris) == []


def test_the_example_package_is_rebuilt_bit_for_bit() -> None:
    spec = importlib.util.spec_from_file_location("build_iris", REPO / "scripts" /
                                                  "build_iris_package.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    files, figures = build.package_files(REPO)
    for name, content in files.items():
        assert (REPO / IRIS / name).read_bytes() == content, f"{name} differs from a fresh build"
    data = read_record(REPO)
    for name, content in files.items():
        entry = artefact(data, name)
        assert (entry["sha256"], entry["size_bytes"]) == (sha256(content), len(content))
    assert figures["test_accuracy"] == pytest.approx(0.9333, abs=1e-4)


def test_report_is_evidence_the_site_can_show(iris: Path) -> None:
    (iris / IRIS / REPORT_FILE).unlink()
    assert [f.rule for f in findings_for(iris)] == ["parity-evidence"]
    code, out = parity(iris, "--write", IRIS)
    assert code == 0 and f"wrote {IRIS}/{REPORT_FILE}" in out
    report = json.loads((iris / IRIS / REPORT_FILE).read_text())
    assert report["status"] == "passed" and report["badge"]["message"] == "passed"
    assert report["tolerance"]["rtol"] == 1e-4 and report["tolerance"]["atol"] == 1e-4
    assert report["runtime"]["onnxruntime"] == __import__("onnxruntime").__version__
    assert report["runtime"]["onnx"] == onnx.__version__
    assert report["sample_count"] == 36
    (run,) = report["runs"]
    assert run["opset"] == 17 and run["sha256"] == artefact(read_record(iris), "model.onnx")[
        "sha256"]
    files = {f["name"]: f["sha256"] for c in run["samples"]["cases"] for f in c["files"]}
    assert files["samples.npz"] == sha256((iris / IRIS / "samples.npz").read_bytes())
    assert {o["name"]: o["passed"] for o in run["outputs"]} == {
        "logits": True, "probabilities": True, "class_index": True}
    assert all(isinstance(o["max_abs_error"], float) for o in run["outputs"])
    assert findings_for(iris) == []
    # Nothing changed: the file is left alone, date included.
    before = (iris / IRIS / REPORT_FILE).read_bytes()
    code, out = parity(iris, "--write", IRIS)
    assert code == 0 and "wrote" not in out
    assert (iris / IRIS / REPORT_FILE).read_bytes() == before


# -- failures ------------------------------------------------------------------------------


def _perturb(iris: Path, delta: float) -> None:
    arrays = load_npz(iris / IRIS / "samples.npz")
    arrays["probabilities"][3, 1] += np.float32(delta)
    replace_file(iris, "samples.npz", npz_bytes(arrays))


def test_a_reference_output_beyond_tolerance_fails_with_the_numbers(iris: Path) -> None:
    _perturb(iris, 0.01)
    code, out = parity(iris)
    assert code == 1
    line = next(line for line in out.splitlines() if "[parity]" in line)
    assert line.startswith(f"{iris}/{IRIS}/record.yaml:") or line.startswith(
        f"{IRIS}/record.yaml:")
    assert "error: model.onnx: output 'probabilities' differs from the reference in 1 of 108" \
        in line
    assert "max abs error 0.01" in line and "max rel error" in line
    assert "worst at samples.npz index [3, 1]" in line
    assert "tolerance rtol=0.0001, atol=0.0001" in line
    assert f"{IRIS}: failed" in out
    rules = {f.rule for f in errors(iris)}
    assert rules == {"parity", "parity-evidence"}  # and the committed report is now stale


def test_a_difference_within_tolerance_passes(iris: Path) -> None:
    _perturb(iris, 2e-5)
    code, out = parity(iris, "--write")
    assert code == 0, out
    assert errors(iris) == []


def test_record_tolerances_are_used(iris: Path) -> None:
    _perturb(iris, 2e-5)
    edit_record(iris, lambda d: d.update(parity={"rtol": 0.0, "atol": 1e-6}))
    code, out = parity(iris)
    assert code == 1 and "tolerance rtol=0, atol=1e-06" in out


def test_wrong_checksum_or_size_of_the_onnx_file_fails(iris: Path) -> None:
    edit_record(iris, lambda d: artefact(d, "model.onnx").update(sha256="0" * 64))
    code, out = parity(iris)
    assert code == 1 and f"{IRIS}: failed" in out
    assert "field 'artefacts[0]': model.onnx: sha256 of the file is" in out
    edit_record(iris, lambda d: artefact(d, "model.onnx").update(
        sha256=sha256((iris / IRIS / "model.onnx").read_bytes()), size_bytes=877))
    code, out = parity(iris)
    assert code == 1 and "the file is 878 bytes but size_bytes says 877" in out


def test_a_signature_that_disagrees_with_the_record_fails(iris: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["input_schema"][0]["dtype"] = "float64"
        data["input_schema"][0]["shape"] = [1, 5]
        data["output_schema"][0]["name"] = "scores"

    edit_record(iris, change)
    code, _ = parity(iris)
    assert code == 1
    messages = [f.message for f in errors(iris) if f.rule == "onnx-signature"]
    assert any("input_schema[0].dtype': the record says float64 but model.onnx's input "
               "'measurements' is float32" in m for m in messages)
    assert any("input_schema[0].shape[0]': the record says 1 but model.onnx's input "
               "'measurements' accepts any size here ('batch')" in m for m in messages)
    assert any("input_schema[0].shape[1]': the record says 5 but model.onnx's input "
               "'measurements' has 4 here" in m for m in messages)
    assert any("declares output 'scores' but model.onnx has no such output" in m
               for m in messages)
    assert any("has output 'logits' float32 [batch, 3] that the record does not declare" in m
               for m in messages)


def test_a_fixed_dimension_where_the_record_says_dynamic_fails(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    model = tiny_model()
    model.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 1
    content = model.SerializeToString()
    _tiny_package(root, content)
    code, out = parity(root, "models/tiny")
    assert code == 1
    assert "shape[0]': the record says 'batch' (any size) but model.onnx's input 'x' fixes " \
           "this dimension to 1" in out


def _tiny_package(root: Path, model: bytes, *, extra: dict[str, bytes] | None = None,
                  samples: bool = True, **fields: Any) -> Path:
    folder = root / "models" / "tiny"
    folder.mkdir(parents=True, exist_ok=True)
    files = {"model.onnx": model, **(extra or {})}
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    if samples:
        files["samples.npz"] = npz_bytes({"x": x, "y": x * 2})
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    roles = {"model.onnx": "onnx", "samples.npz": "sample-data"}
    write_yaml(folder / "record.yaml", tiny_record(
        [pointer(n, c, roles.get(n, "weights")) for n, c in files.items()], **fields))
    (folder / "README.md").write_text((REPO / IRIS / "README.md").read_text())
    return folder


def test_external_data_inside_the_package_runs(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    data = np.full((3,), 2.0, dtype=np.float32).tobytes()
    _tiny_package(root, with_external_location(tiny_model(), "weights/w.bin"),
                  extra={"weights/w.bin": data})
    code, out = parity(root, "models/tiny")
    assert code == 0, out
    assert "models/tiny: passed" in out


@pytest.mark.parametrize(("location", "words"), [
    ("../outside.bin", "leaves the package ('..')"),
    ("/etc/hostname", "is an absolute path outside the package"),
    ("link.bin", "is a symlink to"),
])
def test_external_data_outside_the_package_is_refused(tmp_path: Path, location: str,
                                                      words: str) -> None:
    root = iris_catalogue(tmp_path)
    outside = root / "models" / "outside.bin"
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_bytes(np.full((3,), 2.0, dtype=np.float32).tobytes())
    folder = _tiny_package(root, with_external_location(tiny_model(), location))
    (folder / "link.bin").symlink_to(outside)
    code, out = parity(root, "models/tiny")
    assert code == 1
    line = next(line for line in out.splitlines() if "[onnx-external-data]" in line)
    assert "models/tiny/record.yaml:" in line and words in line
    assert "models/tiny: failed (model.onnx cannot be run" in out


def test_a_model_that_fails_the_checker_is_reported(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    model = tiny_model()
    model.graph.node[0].op_type = "NoSuchOperator"
    _tiny_package(root, model.SerializeToString())
    code, out = parity(root, "models/tiny")
    assert code == 1 and "fails onnx.checker (full check)" in out
    _tiny_package(root, b"this is not a protobuf at all")
    code, out = parity(root, "models/tiny")
    assert code == 1 and "is not a readable ONNX model" in out


# -- layouts -------------------------------------------------------------------------------


def test_onnx_test_data_layout_alone(iris: Path) -> None:
    (iris / IRIS / "samples.npz").unlink()
    edit_record(iris, lambda d: d.update(artefacts=[a for a in d["artefacts"]
                                                    if a["path"] != "samples.npz"]))
    record = RecordStore(iris).get(IRIS)
    assert record is not None
    outcome = evaluate_model(record, Resolver(iris / ".omh-cache"))
    assert outcome.status == PASSED and outcome.report is not None
    (case,) = outcome.report["runs"][0]["samples"]["cases"]
    assert case["layout"] == "onnx-test-data" and case["name"] == "test_data_set_0"


def test_model_zoo_folders_need_not_be_listed(iris: Path) -> None:
    edit_record(iris, lambda d: d.update(artefacts=[
        a for a in d["artefacts"] if not a["path"].startswith("test_data_set_")]))
    outputs = iris / IRIS / "test_data_set_0" / "output_1.pb"
    tensor = onnx.TensorProto()
    tensor.ParseFromString(outputs.read_bytes())
    values = numpy_helper.to_array(tensor).copy()
    values[0, 0] += 0.5
    outputs.write_bytes(numpy_helper.from_array(values, "").SerializeToString())
    code, out = parity(iris)
    assert code == 1
    assert "output 'probabilities' differs from the reference in 1 of 108" in out
    assert "worst at test_data_set_0 index [0, 0]" in out


def test_inputs_and_outputs_in_separate_files(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    folder = _tiny_package(root, tiny_model().SerializeToString(), samples=False)
    inputs, outputs = npz_bytes({"x": x}), npz_bytes({"y": x * 2})
    (folder / "inputs.npz").write_bytes(inputs)
    (folder / "outputs.npz").write_bytes(outputs)
    edit_record(root, lambda d: d["artefacts"].extend([
        pointer("inputs.npz", inputs, "sample-data"),
        pointer("outputs.npz", outputs, "reference-output")]), "models/tiny")
    code, out = parity(root, "models/tiny")
    assert code == 0, out
    assert "passed on 2 sample(s) in 1 case(s)" in out


def test_samples_must_match_the_model(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    x = np.arange(6, dtype=np.float64).reshape(2, 3)
    _tiny_package(root, tiny_model().SerializeToString(),
                  extra={"bad.npz": npz_bytes({"x": x, "y": x, "z": x})}, samples=False)
    edit_record(root, lambda d: artefact(d, "bad.npz").update(role="sample-data"),
                "models/tiny")
    code, out = parity(root, "models/tiny")
    assert code == 1
    assert "bad.npz holds 'z', which is neither an input nor an output" in out
    assert "input 'x' is float64 but the model takes float32" in out


def test_pickled_samples_are_never_loaded(tmp_path: Path) -> None:
    root = iris_catalogue(tmp_path)
    objects = np.array([{"x": 1}], dtype=object)
    _tiny_package(root, tiny_model().SerializeToString(),
                  extra={"pickled.npz": npz_bytes({"x": objects})}, samples=False)
    edit_record(root, lambda d: artefact(d, "pickled.npz").update(role="sample-data"),
                "models/tiny")
    code, out = parity(root, "models/tiny")
    assert code == 1 and "holds pickled object arrays, which are never loaded" in out


def test_no_onnx_artefact_is_no_evidence_not_a_pass(iris: Path) -> None:
    edit_record(iris, lambda d: d.update(artefacts=[a for a in d["artefacts"]
                                                    if a["role"] != "onnx"]))
    (iris / IRIS / REPORT_FILE).unlink()
    code, out = parity(iris)
    assert code == 0
    assert f"{IRIS}: no parity evidence (no ONNX artefact)" in out
    assert "passed" not in out


def test_unknown_model_is_a_usage_error(iris: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parity", "--root", str(iris), "models/nope"]) == 2
    assert "no model 'models/nope'" in capsys.readouterr().err


def test_stale_evidence_is_an_error(iris: Path) -> None:
    report = json.loads((iris / IRIS / REPORT_FILE).read_text())
    report["runs"][0]["samples"]["cases"][0]["files"][0]["sha256"] = "1" * 64
    (iris / IRIS / REPORT_FILE).write_text(json.dumps(report))
    (finding,) = errors(iris)
    assert finding.rule == "parity-evidence"
    assert finding.location.path == f"{IRIS}/{REPORT_FILE}"
    assert "stale: its sample file samples.npz has changed" in finding.message
    (iris / IRIS / REPORT_FILE).write_text("{not json")
    (finding,) = errors(iris)
    assert "is not valid JSON" in finding.message


# -- remote packages -----------------------------------------------------------------------


def _remote_iris(iris: Path, base: str) -> None:
    """Publish model.onnx under a URL; the samples stay in the folder."""
    def change(data: dict[str, Any]) -> None:
        entry = artefact(data, "model.onnx")
        entry.pop("path")
        entry["url"] = f"{base}/iris/1.0.0/model.onnx"

    edit_record(iris, change)


def test_remote_onnx_is_fetched_then_checked(iris: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    monkeypatch.setenv("OMH_CACHE_DIR", str(iris.parent / "cache"))
    model = (iris / IRIS / "model.onnx").read_bytes()
    (iris / IRIS / "model.onnx").unlink()
    with artefact_server() as server:
        server.add("/iris/1.0.0/model.onnx", model)
        _remote_iris(iris, server.url)
        code, out = parity(iris)
        assert code == 0 and "is not in the cache" in out and f"{IRIS}: no parity evidence" in out
        assert server.requests == []
        # The committed report still describes the package: validate accepts it offline.
        assert findings_for(iris) == []
        code, out = parity(iris, "--fetch")
        assert code == 0, out
        assert f"{IRIS}: passed" in out
        assert len(server.requests) == 1
    code, out = parity(iris)  # from the cache, server gone
    assert code == 0 and f"{IRIS}: passed" in out


def test_hub_onnx_through_a_local_endpoint(iris: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMH_CACHE_DIR", str(iris.parent / "cache"))
    monkeypatch.setenv("HF_HOME", str(iris.parent / "hf-home"))
    monkeypatch.setenv("HF_TOKEN", "")
    model = (iris / IRIS / "model.onnx").read_bytes()
    with artefact_server() as server:
        server.hub_file("openmodels/iris-softmax-classifier", "onnx/model.onnx", model)
        monkeypatch.setenv("HF_ENDPOINT", server.url)

        def change(data: dict[str, Any]) -> None:
            entry = artefact(data, "model.onnx")
            entry.pop("path")
            entry["url"] = f"hf://openmodels/iris-softmax-classifier@{COMMIT}/onnx/model.onnx"

        edit_record(iris, change)
        (iris / IRIS / "model.onnx").unlink()
        code, out = parity(iris, "--fetch")
    assert code == 0, out
    assert f"{IRIS}: passed (onnx/model.onnx (opset 17): passed on 36 sample(s)" in out
    assert findings_for(iris) == []


def test_remote_onnx_with_wrong_checksum_fails_when_fetched(iris: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setenv("OMH_CACHE_DIR", str(iris.parent / "cache"))
    with artefact_server() as server:
        server.add("/iris/1.0.0/model.onnx", tiny_model().SerializeToString())
        _remote_iris(iris, server.url)
        edit_record(iris, lambda d: artefact(d, f"{server.url}/iris/1.0.0/model.onnx").update(
            size_bytes=len(tiny_model().SerializeToString())))
        code, out = parity(iris, "--fetch")
    assert code == 1
    assert "downloaded" in out and "sha256 of the file is" in out
    assert f"{IRIS}: failed" in out


def test_unreachable_remote_onnx_is_no_evidence(iris: Path, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    monkeypatch.setenv("OMH_CACHE_DIR", str(iris.parent / "cache"))
    with artefact_server() as server:
        base = server.url
    _remote_iris(iris, base)
    (iris / IRIS / REPORT_FILE).unlink()
    code, out = parity(iris, "--fetch")
    assert code == 0
    assert f"{IRIS}: no parity evidence" in out and "could not be fetched" in out
    (finding,) = findings_for(iris)
    assert finding.severity == "warning" and "no parity evidence" in finding.message


def test_committed_failed_report_for_a_remote_model_is_an_error(iris: Path) -> None:
    report, _ = read_report(RecordStore(iris).get(IRIS))  # type: ignore[arg-type]
    assert report is not None
    report["status"] = "failed"
    (iris / IRIS / REPORT_FILE).write_text(json.dumps(report))
    _remote_iris(iris, "https://data.example")
    (finding,) = errors(iris)
    assert finding.rule == "parity" and "records a failed parity check" in finding.message


# -- class labels ----------------------------------------------------------------------------


def test_labels_must_agree_with_the_record(iris: Path) -> None:
    replace_file(iris, "labels.json", b'["setosa", "virginica", "versicolor"]\n')
    code, out = parity(iris)
    assert code == 1
    assert "labels.json names the classes in another order: class 2 is 'virginica' there but " \
           "'versicolor' in class_labels in record.yaml" in out
