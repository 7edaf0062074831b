"""Full versus incremental ``omh validate`` on a synthetic catalogue.

Validating one changed record should touch only that record and the records that refer to it,
so pre-commit stays fast on a large catalogue. Prints both times and their ratio (same run).

    python benchmarks/bench_validate.py [--size 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate

from catalogue.load.store import RecordStore
from catalogue.pipeline import validate


def _timed(root: Path, paths: list[Path] | None) -> tuple[float, int, int]:
    store = RecordStore(root)
    start = time.perf_counter()
    _findings, scope = validate(root, paths, store=store)
    return time.perf_counter() - start, len(scope.ids), len(store.loaded())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "catalogue"
        generate(root, args.size)
        # A dataset that experiments and models refer to: its referrers must be checked too.
        run = RecordStore(root).get("experiments/climate-run-0")
        assert run is not None
        changed = root / run.data["datasets"][0]["dataset"] / "record.yaml"
        full, full_scope, full_loaded = _timed(root, None)
        incremental, scope, loaded = _timed(root, [changed])
        print(f"catalogue of {args.size} records; changed: {changed.parent.relative_to(root)}")
        print(f"{'run':<14}{'seconds':>10}{'checked':>10}{'parsed':>10}")
        print(f"{'full':<14}{full:>10.3f}{full_scope:>10}{full_loaded:>10}")
        print(f"{'one record':<14}{incremental:>10.3f}{scope:>10}{loaded:>10}")
        print(f"incremental / full = {incremental / full:.4f} "
              f"({full / incremental:.0f}x faster)")


if __name__ == "__main__":
    main()
