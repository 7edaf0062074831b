"""Bounded onnxruntime runs: every session runs in a child process (``onnx_child``) with a
wall-clock limit, an address-space limit and a CPU-time limit from ``catalogue.yaml``
(``parity:``), so that a model that loops (a ``Loop`` of 10^15 trips) or allocates without end
is stopped and refused with the limit it hit, and never hangs ``omh validate``, the pre-commit
hook or CI. The child's output (onnxruntime's log included) never reaches the terminal: the
last lines are kept for the message.

Values go to the child and back as files (``catalogue.load.value_files``); the outputs are read
back within the sample budget.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue.check.onnx_child import JOB, RESULT
from catalogue.load.samples import Budget, SampleError
from catalogue.load.value_files import read_values, write_values
from catalogue.model.settings import ParitySettings

THREADS = 1
PROVIDER = "CPUExecutionProvider"
LOG_FILE = "child.log"
LOG_TAIL = 2000
SETTINGS = "catalogue.yaml"
# What onnxruntime says when it lacks an operator, a type or an attribute value: a limitation
# of the runtime, not a defect of the package (the model has passed onnx.checker).
_LIMITATION = re.compile(
    r"NOT_IMPLEMENTED|Could not find an implementation|not (?:currently )?(?:registered or )?"
    r"supported|No corresponding Numpy type|can't be converted to MLDataType|"
    r"is not implemented|Unsupported (?:type|data ?type|ONNX type)", re.IGNORECASE)
_ALLOCATION = re.compile(r"Failed to allocate|bad_alloc|std::bad_alloc|MemoryError|"
                         r"Cannot allocate memory|out of memory", re.IGNORECASE)


@dataclass
class Failure:
    """Why onnxruntime gave no outputs. ``kind``: ``limitation`` (the runtime lacks an
    operator or type), ``timeout``, ``memory``, ``error`` (anything else)."""

    kind: str
    message: str
    log: str = ""


@dataclass
class ModelRun:
    """What the child produced: outputs per case name, or why not."""

    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    case_failures: dict[str, Failure] = field(default_factory=dict)
    failure: Failure | None = None
    """The whole run failed (load error, limit hit, crash)."""
    runtime_version: str | None = None
    seconds: float = 0.0
    peak_memory_bytes: int = 0
    """The child's peak resident memory (``ru_maxrss``)."""


def classify(type_name: str, message: str, memory: bool = False) -> str:
    if memory or _ALLOCATION.search(message):
        return "memory"
    if type_name == "NotImplemented" or _LIMITATION.search(message):
        return "limitation"
    return "error"


def _clean(message: str) -> str:
    """onnxruntime's message without its status prefix and source locations."""
    text = re.sub(r"\[ONNXRuntimeError\] : \d+ : [A-Z_]+ : ", "", message)
    text = re.sub(r"/onnxruntime_src/\S+:\d+ [^(]*\([^)]*\)\s*", "", text)
    return " ".join(text.split())


def run_model(model: Path, cases: dict[str, dict[str, Any]], limits: ParitySettings
              ) -> ModelRun:
    """Run ``model`` on each case's inputs in a bounded child process."""
    work = Path(tempfile.mkdtemp(prefix="omh-ort-"))
    try:
        names = {}
        for index, (case, feeds) in enumerate(cases.items()):
            names[f"case{index}"] = case
            write_values(work / f"case{index}" / "in", feeds)
        job = {"model": str(model.resolve()), "cases": list(names), "threads": THREADS,
               "provider": PROVIDER, "memory_bytes": limits.memory_limit_mb * 1024**2,
               "cpu_seconds": int(limits.timeout_seconds) + 2,
               "max_bytes": limits.max_sample_bytes}
        (work / JOB).write_text(json.dumps(job), encoding="utf-8")
        started = time.monotonic()
        timed_out, code, peak = _spawn(work, limits.timeout_seconds)
        elapsed = time.monotonic() - started
        log = _tail(work / LOG_FILE)
        run = _collect(work, names, limits, log, timed_out, code)
        run.seconds, run.peak_memory_bytes = elapsed, peak
        return run
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _spawn(work: Path, timeout: float) -> tuple[bool, int | None, int]:
    """(whether the wall-clock limit was hit, the exit code, the child's peak resident memory
    in bytes)."""
    env = {**os.environ, "OMP_NUM_THREADS": str(THREADS), "PYTHONDONTWRITEBYTECODE": "1"}
    with (work / LOG_FILE).open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "catalogue.check.onnx_child", str(work)], cwd=work,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        pause = 0.002
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                return False, process.returncode, usage.ru_maxrss * 1024
            if time.monotonic() >= deadline:
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        return True, None, usage.ru_maxrss * 1024


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - LOG_TAIL))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return re.sub(r"\x1b\[[0-9;]*m", "", text).strip()


def _collect(work: Path, names: dict[str, str], limits: ParitySettings, log: str,
             timed_out: bool, code: int | None) -> ModelRun:
    run = ModelRun()
    if timed_out:
        run.failure = Failure("timeout", f"onnxruntime did not finish within "
                              f"{limits.timeout_seconds:g} s (parity.timeout_seconds in "
                              f"{SETTINGS}); the run was stopped", log)
        return run
    try:
        result = json.loads((work / RESULT).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        how = f"was killed by signal {-code}" if code is not None and code < 0 else \
            f"exited with status {code}"
        hint = (f"; it may have exceeded the memory limit of {limits.memory_limit_mb} MiB "
                f"(parity.memory_limit_mb in {SETTINGS})")
        run.failure = Failure("memory" if code is not None and code < 0 else "error",
                              f"the onnxruntime process {how} before it finished{hint}", log)
        return run
    run.runtime_version = result.get("onnxruntime")
    for key in ("crash", "load_error"):
        if key in result:
            run.failure = _failure(result[key], limits, log)
            return run
    budget = Budget(limits.max_sample_bytes, setting=f"parity.max_sample_bytes in {SETTINGS}")
    for key, case in names.items():
        status = result["cases"].get(key, {"ok": False, "type": "", "message": "not run"})
        if not status.get("ok"):
            run.case_failures[case] = _failure(status, limits, log)
            continue
        try:
            run.outputs[case] = read_values(work / key / "out", budget)
        except SampleError as exc:
            run.case_failures[case] = Failure("memory", f"the outputs are too large: {exc}")
    return run


def _failure(status: dict[str, Any], limits: ParitySettings, log: str) -> Failure:
    message = _clean(str(status.get("message", ""))) or str(status.get("type", "error"))
    kind = classify(str(status.get("type", "")), message, bool(status.get("memory")))
    if kind == "memory":
        message += (f" (the run is limited to {limits.memory_limit_mb} MiB: "
                    f"parity.memory_limit_mb in {SETTINGS})")
    return Failure(kind, message, log)
