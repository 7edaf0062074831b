"""``omh validate`` as the pre-commit hook runs it, on one record file of a synthetic catalogue.

Each run is a fresh ``python -m omh.cli`` process, as the hook starts one. Prints, in one run:
one-file validate with no cache, with a warm cache (the ids each record file mentions, kept in
``<cache>/validate/``), and a full validate, with their ratios; then the time the hook spends
importing modules and which heavy libraries it imported.

    python benchmarks/bench_validate.py [--size 10000] [--catalogue DIR] [--repeat 5]

The changed file is a dataset's record that experiments and models refer to, so its referrers are
found and checked too. ``--catalogue`` reuses a catalogue written by ``synthetic.py``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate

from catalogue.load.store import RecordStore

HEAVY = ("onnx", "onnxruntime", "numpy", "mkdocs", "markdown", "pyld", "huggingface_hub",
         "mlflow", "jsonschema")
_PROBE = """
import json, sys, time
start = time.perf_counter()
import omh.commands.validate
imported = time.perf_counter() - start
from omh.cli import main
sys.argv = ["omh", "validate", sys.argv[1]]
try:
    main()
finally:
    heavy = sorted(m for m in {heavy!r} if m in sys.modules)
    print(json.dumps({{"import": imported, "heavy": heavy}}), file=sys.stderr)
"""


def _hook(root: Path, *arguments: str) -> float:
    """Wall time of one ``omh validate`` process (exit 0 or 1: findings are not failures)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "omh.cli", "validate", *arguments], cwd=root,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"omh validate failed: {done.stderr}")
    return elapsed


def _probe(root: Path, path: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), path], cwd=root,
                          capture_output=True, text=True, check=False)
    report: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return report


def _names(loaded: object) -> list[str]:
    """The probe's list of heavy libraries loaded, as names."""
    return [str(name) for name in loaded] if isinstance(loaded, list) else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--catalogue", type=Path, help="an existing synthetic catalogue")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = args.catalogue.resolve() if args.catalogue else Path(folder) / "catalogue"
        if not args.catalogue:
            generate(root, args.size)
        store = RecordStore(root, use_cache=False)
        run = store.get("experiments/climate-run-0")
        assert run is not None
        changed = f"{run.data['datasets'][0]['dataset']}/record.yaml"
        cache = root / ".omh-cache" / "validate"
        cold = []
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(_hook(root, changed))
        _hook(root, changed)
        warm = [_hook(root, changed) for _ in range(args.repeat)]
        full = _hook(root)
        probe = _probe(root, changed)
        cold_s, warm_s = statistics.median(cold), statistics.median(warm)
        print(f"catalogue of {len(store.paths)} records; one file: {changed} "
              f"(median of {args.repeat} processes)")
        print(f"{'run':<28}{'seconds':>10}")
        print(f"{'one file, no cache':<28}{cold_s:>10.3f}")
        print(f"{'one file, warm cache':<28}{warm_s:>10.3f}")
        print(f"{'full validate':<28}{full:>10.3f}")
        print(f"warm / cold = {warm_s / cold_s:.3f}; warm / full = {warm_s / full:.4f}; "
              f"cold / full = {cold_s / full:.4f}")
        print(f"hook imports: {probe['import']:.3f} s "
              f"({float(str(probe['import'])) / warm_s:.0%} of the warm run); "
              f"heavy libraries loaded: {', '.join(_names(probe['heavy'])) or 'none'}")


if __name__ == "__main__":
    main()
