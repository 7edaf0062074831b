"""Peak memory of a build, for its report and the benchmarks."""

from __future__ import annotations

import resource


def peak_rss_mib() -> float:
    """The largest resident set so far of this process and of its largest finished child (a
    pool worker), in MiB (Linux reports kilobytes)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024
