"""The child process that runs onnxruntime for ``catalogue.check.onnx_runner``.

``python -m catalogue.check.onnx_child JOB_FOLDER``: reads ``job.json`` (the model's path, the
limits, the cases), limits its own address space and CPU time before importing onnxruntime,
runs every case and writes each case's outputs with ``catalogue.load.value_files`` and a
``result.json`` saying what failed and why. The runtime's log is silenced (its severity set to
fatal); whatever reaches stdout or stderr goes to a file the parent keeps for its messages.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

JOB = "job.json"
RESULT = "result.json"
FATAL = 4


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: the parent's wall-clock limit still holds
        return
    for limit, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds)):
        _soft, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(limit, (value, hard))


def _failure(exc: BaseException) -> dict[str, Any]:
    return {"type": type(exc).__name__, "message": str(exc).strip(),
            "memory": isinstance(exc, MemoryError)}


def _feed(value: Any) -> Any:
    """onnxruntime's Python form of a value: maps of scalars hold Python scalars."""
    if isinstance(value, dict):
        return {key: item.item() if getattr(item, "ndim", None) == 0 else _feed(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_feed(item) for item in value]
    return value


def run(folder: Path) -> dict[str, Any]:
    job = json.loads((folder / JOB).read_text(encoding="utf-8"))
    _limit_resources(int(job["memory_bytes"]), int(job["cpu_seconds"]))
    from catalogue.load.samples import Budget
    from catalogue.load.value_files import read_values, write_values

    result: dict[str, Any] = {"cases": {}}
    try:
        import onnxruntime as ort

        result["onnxruntime"] = ort.__version__
        ort.set_default_logger_severity(FATAL)
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(job["threads"])
        options.inter_op_num_threads = int(job["threads"])
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = FATAL
        options.use_deterministic_compute = True
        session = ort.InferenceSession(job["model"], options, providers=[job["provider"]])
    except BaseException as exc:  # onnxruntime raises its own types; MemoryError too
        result["load_error"] = _failure(exc)
        return result
    names = [output.name for output in session.get_outputs()]
    for case in job["cases"]:
        case_folder = folder / case
        budget = Budget(int(job["max_bytes"]))
        try:
            feeds = {k: _feed(v) for k, v in read_values(case_folder / "in", budget).items()}
            produced = session.run(names, feeds)
            write_values(case_folder / "out", dict(zip(names, produced, strict=True)))
            result["cases"][case] = {"ok": True}
        except BaseException as exc:  # onnxruntime raises its own types
            result["cases"][case] = {"ok": False, **_failure(exc)}
    return result


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    try:
        result = run(folder)
    except BaseException as exc:  # reported to the parent, never lost
        result = {"crash": _failure(exc), "traceback": traceback.format_exc(limit=5)}
    (folder / RESULT).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
