"""The parity checker and its bounded child-process runner against a bare onnxruntime run of
the same model and samples.

The checker verifies sha256 and size of every file it reads, runs ``onnx.checker`` (full),
reads and compares the signature, loads the samples of both layouts within the sample budget,
runs onnxruntime in a child process with wall-clock and memory limits, and compares every
output; the runner is that child process alone (start Python, import onnxruntime, open the
session, run, hand the outputs back as files); the bare run only loads the samples, opens a
session and runs it in this process. All are timed end to end, from files on disk, with this
process warmed up (imports done). Prints the median times and their ratios for the example
Iris package and for a synthetic 4x1024 MLP package large enough for inference to matter.

    python benchmarks/bench_parity.py [--repeat 30] [--model models/iris-softmax-classifier]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import yaml
from onnx import TensorProto, helper, numpy_helper

from catalogue.check.onnx_runner import run_model
from catalogue.check.parity import PASSED, evaluate_model
from catalogue.load import artefacts
from catalogue.load.artefacts import Resolver
from catalogue.load.store import RecordStore
from catalogue.model.settings import ParitySettings

ROOT = Path(__file__).resolve().parent.parent


def checker_run(root: Path, model_id: str) -> Callable[[], None]:
    store = RecordStore(root)
    record = store.get(model_id)
    assert record is not None, model_id
    resolver = Resolver.from_settings(store.root, store.settings.artefacts)

    def run() -> None:
        artefacts._DIGESTS.clear()  # hash the files every time, as a fresh process would
        outcome = evaluate_model(record, resolver)
        assert outcome.status == PASSED, outcome.reason

    return run


def sample_feeds(folder: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for npz in sorted(folder.glob("*.npz")):
        if npz.name == "weights.npz":
            continue
        with np.load(npz, allow_pickle=False) as data:
            cases.append({k: data[k] for k in data.files})
    for test_set in sorted(folder.glob("test_data_set_*")):
        tensor = onnx.load_tensor(str(test_set / "input_0.pb"))
        cases.append({tensor.name: numpy_helper.to_array(tensor)})
    return cases


def runner_run(folder: Path) -> Callable[[], None]:
    """The bounded child process alone, on the same feeds as the bare run."""
    names = {i.name for i in onnx.load(str(folder / "model.onnx"),
                                       load_external_data=False).graph.input}
    feeds = {f"case{i}": {k: v for k, v in case.items() if k in names}
             for i, case in enumerate(sample_feeds(folder))}

    def run() -> None:
        result = run_model(folder / "model.onnx", feeds, ParitySettings())
        assert result.failure is None and len(result.outputs) == len(feeds), result

    return run


def bare_run(folder: Path) -> Callable[[], None]:
    """What one would write by hand: load the samples, open a session, run."""
    def run() -> None:
        cases: list[dict[str, Any]] = []
        for npz in sorted(folder.glob("*.npz")):
            if npz.name == "weights.npz":
                continue
            with np.load(npz, allow_pickle=False) as data:
                cases.append({k: data[k] for k in data.files})
        for test_set in sorted(folder.glob("test_data_set_*")):
            tensor = onnx.load_tensor(str(test_set / "input_0.pb"))
            cases.append({tensor.name: numpy_helper.to_array(tensor)})
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(folder / "model.onnx"), options,
                                       providers=["CPUExecutionProvider"])
        names = {i.name for i in session.get_inputs()}
        for case in cases:
            session.run(None, {k: v for k, v in case.items() if k in names})

    return run


def median_seconds(run: Callable[[], None], repeat: int) -> float:
    run()  # warm-up: imports, first-session costs
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synthetic_package(root: Path, width: int = 1024, layers: int = 4, batch: int = 256) -> str:
    """A catalogue holding one MLP package (about 3.2M parameters) with a batch of samples."""
    rng = np.random.default_rng(0)
    weights = [(rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32)
               for _ in range(layers)]
    nodes, inits, current = [], [], "x"
    for index, matrix in enumerate(weights):
        inits.append(numpy_helper.from_array(matrix, f"w{index}"))
        nodes.append(helper.make_node("MatMul", [current, f"w{index}"], [f"h{index}"]))
        nodes.append(helper.make_node("Tanh", [f"h{index}"], [f"a{index}"]))
        current = f"a{index}"
    nodes.append(helper.make_node("Identity", [current], ["y"]))
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", width])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    x = rng.standard_normal((batch, width)).astype(np.float32)
    y = x.astype(np.float64)
    for matrix in weights:
        y = np.tanh(y @ matrix.astype(np.float64))
    folder = root / "models" / "mlp"
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(model.SerializeToString())
    buffer = io.BytesIO()
    np.savez(buffer, x=x, y=y.astype(np.float32))
    (folder / "samples.npz").write_bytes(buffer.getvalue())
    entries = []
    for name, role in (("model.onnx", "onnx"), ("samples.npz", "sample-data")):
        content = (folder / name).read_bytes()
        entries.append({"path": name, "sha256": hashlib.sha256(content).hexdigest(),
                        "size_bytes": len(content), "media_type": "application/octet-stream",
                        "role": role})
    record = {"kind": "model", "name": "MLP", "framework": "numpy", "model_type": "regression",
              "input_schema": [{"name": "x", "dtype": "float32", "shape": ["batch", width]}],
              "output_schema": [{"name": "y", "dtype": "float32", "shape": ["batch", width]}],
              "artefacts": entries}
    (folder / "record.yaml").write_text(yaml.safe_dump(record, sort_keys=False))
    return "models/mlp"


def report(label: str, folder: Path, root: Path, model_id: str, repeat: int) -> None:
    bare = median_seconds(bare_run(folder), repeat)
    runner = median_seconds(runner_run(folder), repeat)
    checker = median_seconds(checker_run(root, model_id), repeat)
    print(f"{label:<34}{bare * 1000:>10.1f}{runner * 1000:>12.1f}{runner / bare:>9.2f}x"
          f"{checker * 1000:>12.1f}{checker / bare:>9.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--model", default="models/iris-softmax-classifier")
    args = parser.parse_args()
    print(f"onnxruntime {ort.__version__}, onnx {onnx.__version__}, numpy {np.__version__}, "
          f"CPU provider, 1 thread; median of {args.repeat} runs")
    print(f"{'package':<34}{'bare ms':>10}{'child ms':>12}{'ratio':>10}{'checker ms':>12}"
          f"{'ratio':>10}")
    report(args.model, args.root / args.model, args.root, args.model, args.repeat)
    with tempfile.TemporaryDirectory() as temp:
        model_id = synthetic_package(Path(temp))
        report("synthetic MLP 4x1024, batch 256", Path(temp) / model_id, Path(temp), model_id,
               args.repeat)


if __name__ == "__main__":
    main()
