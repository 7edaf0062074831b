"""What a build costs, for its report and the benchmarks: time per stage and peak memory."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager


def peak_rss_mib() -> float:
    """The largest resident set so far of this process and of its largest finished child (a
    pool worker), in MiB (Linux reports kilobytes)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


@contextmanager
def timed(seconds: dict[str, float], name: str) -> Iterator[None]:
    """Add the time the block takes to ``seconds[name]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
