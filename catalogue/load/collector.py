"""The garbage collector's pace for a run over a whole catalogue.

A build or a whole ``omh validate`` makes millions of objects that live until it ends: the
records, the link graph, the build cache's index, the quality reports. CPython's default
thresholds (700, 10, 10) make the collector walk all of them again each time the long-lived
objects grow by a quarter, and again and again while they are made: a tenth of a 10,000-record
rebuild went to it. Reference counting frees nearly everything a run discards; the collector
is there for cycles only, so such a run has it start a hundred times less often.

Not ``omh serve``: its process builds again and again, and each build's own cycles would wait
far longer to be freed (its memory grew by 32 MB a rebuild at 1,000 records, against none at
the default pace).

A command whose process ends with it (``omh build``, ``omh validate``) keeps that pace to its
end (``whole_process``): going back to the default pace as the run returns started a collection
that walked every object the run had made, for nothing (0.4 s after a 10,000-record build).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (100_000, 50, 100)
"""Allocations before a young collection, and young (then middle) collections before an older
one: a full collection after 500 million allocations at most."""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with ``THRESHOLDS``, then the thresholds there were before."""
    before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def whole_process() -> None:
    """Set ``THRESHOLDS`` for the rest of this process: one that ends once its run is done."""
    gc.set_threshold(*THRESHOLDS)
