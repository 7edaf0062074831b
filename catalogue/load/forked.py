"""Work of a run (a build, a whole ``omh validate``) done in worker processes forked from it,
which start with everything it holds: the loaded records, the derived figures, MkDocs' theme.
Only the items and the results travel between processes, so the work may be any function, a
closure included."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

POOL_MINIMUM = 200
"""Fewer items than this are worked on in this process: starting workers costs more."""


def default_jobs() -> int:
    """Worker processes for a run: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork(jobs: int, items: int) -> bool:
    """Whether ``items`` items are worth ``jobs`` forked workers, where forking exists."""
    if jobs <= 1 or items < POOL_MINIMUM:
        return False
    import multiprocessing  # (not for the few records of a pre-commit run)

    return "fork" in multiprocessing.get_all_start_methods()


_PR_SET_PDEATHSIG = 1
"""Linux's ``prctl`` option: the signal a process gets when the thread that forked it ends."""


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, looked up in the process that forks (``None`` where there is none)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _end_with(parent: int) -> None:
    """Make this process, just forked from ``parent``, end as soon as ``parent`` does: a build
    killed midway leaves no process of its own writing on into the folders the next build
    clears. (Every fork here is made by a build's own thread, which lives as long as it.)"""
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)


_WORK: Callable[[Any], Any] | None = None


def _call(item: Any) -> Any:
    assert _WORK is not None
    return _WORK(item)


def forked_map(work: Callable[[T], R], items: Sequence[T], jobs: int,
               chunk: int = 64) -> Iterator[R]:
    """``work`` of each item, in the items' order: in ``jobs`` forked workers, up to ``chunk``
    items at a time, when ``can_fork``; here otherwise. The items and results are pickled
    between processes: give ids or indices, which ``work`` looks up in what it starts with."""
    if not can_fork(jobs, len(items)):
        yield from map(work, items)
        return
    import multiprocessing

    global _WORK
    _WORK = work
    # Freezing this process's objects keeps the collector from touching (and so copying)
    # every page of them in each worker.
    gc.freeze()
    try:
        _prctl()
        with multiprocessing.get_context("fork").Pool(jobs, _end_with, (os.getpid(),)) as pool:
            yield from pool.imap(_call, items, chunksize=max(1, min(chunk, len(items) //
                                                                    (jobs * 8))))
    finally:
        _WORK = None
        gc.unfreeze()


class ForkedFailed(RuntimeError):
    """What the work of a forked process raised, as text (``Forked.wait``)."""


class Forked(Generic[R]):
    """A function running in a process forked from this one (``run_forked``)."""

    def __init__(self, pid: int, reader: int) -> None:
        self._pid = pid
        self._reader = reader

    def wait(self) -> R:
        """Wait for its end and take what it returned; ``ForkedFailed`` with what it raised,
        if it failed."""
        with os.fdopen(self._reader, "rb") as said:
            told = said.read()
        _, status = os.waitpid(self._pid, 0)
        if status != 0:
            raise ForkedFailed(told.decode("utf-8", "replace") or f"ended with status {status}")
        return pickle.loads(told)  # type: ignore[no-any-return]

    def stop(self) -> None:
        """End it without waiting for its work (this process has stopped needing it)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.close(self._reader)
        os.waitpid(self._pid, 0)


BACKGROUND_NICENESS = 10
"""How much lower a process forked for background work runs (``run_forked``): given a tenth
of a core while the run's other processes want both."""


def run_forked(work: Callable[[], R], background: bool = False) -> Forked[R] | None:
    """Run ``work`` in a process forked from this one, which starts with all this one holds,
    on another core; ``None`` where there is no fork (``work`` is then not run). What ``work``
    returns is pickled back to ``Forked.wait``; keep it small (a large content is better
    written to a file, and its path returned). The process ends without Python's clean-up:
    what ``work`` raised reaches ``Forked.wait`` as text. ``background``: work the run waits
    for only at its end, which yields the cores to what it waits for before (``os.nice``)."""
    if not hasattr(os, "fork"):
        return None
    reader, writer = os.pipe()
    parent = os.getpid()
    _prctl()
    pid = os.fork()
    if pid == 0:  # the new process
        _end_with(parent)
        os.close(reader)
        gc.disable()  # (a collection would copy every page of objects it walks)
        if background:
            with contextlib.suppress(OSError):
                os.nice(BACKGROUND_NICENESS)
        code = 0
        try:
            told = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # (whatever it is, the waiting process is told)
            where = traceback.extract_tb(exc.__traceback__)[-1:]
            at = f" (at {where[0].filename}, line {where[0].lineno})" if where else ""
            told = f"{type(exc).__name__}: {exc}{at}".encode()[:8000]
            code = 1
        try:
            with os.fdopen(writer, "wb") as out:
                out.write(told)
        except OSError:  # (the waiting process stopped reading: it has stopped this one)
            code = 1
        os._exit(code)
    os.close(writer)
    return Forked(pid, reader)
