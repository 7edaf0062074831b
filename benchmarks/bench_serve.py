"""``omh serve`` while a contributor edits: from saving a record to its new page being served.

Writes a synthetic catalogue (``synthetic.generate``), starts ``omh serve`` on a free port of
127.0.0.1 and waits for a model's page; then, ``--edits`` times, changes that model's
description as an editor would and asks for the page every 20 ms until it shows the new text.
Prints the time to the first page, each edit's time to its new page, their median, and the
median over the first page's time, in one run (budget: 2 s at 1,000 records).

    python benchmarks/bench_serve.py [--size 1000] [--catalogue DIR] [--edits 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate

BUDGET_SECONDS = 2.0
POLL_SECONDS = 0.02


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError):
        return ""


def _wait_for(url: str, text: str, server: subprocess.Popen[bytes], limit: float) -> float:
    """Seconds until the page at ``url`` holds ``text``."""
    start = time.perf_counter()
    while text not in _page(url):
        if server.poll() is not None:
            raise SystemExit(f"omh serve stopped (exit status {server.returncode})")
        if time.perf_counter() - start > limit:
            raise SystemExit(f"{url} did not show {text!r} within {limit:.0f} s")
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--catalogue", type=Path, help="a catalogue written by synthetic.py")
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="omh-bench-serve-") as work:
        root = args.catalogue
        if root is None:
            root = Path(work) / "catalogue"
            generate(root, args.size)
        models = sorted((root / "models").iterdir())
        model = models[len(models) // 2]
        record = model / "record.yaml"
        original = record.read_text(encoding="utf-8")
        port = _free_port()
        url = f"http://127.0.0.1:{port}/models/{model.name}/"
        server = subprocess.Popen(
            [sys.executable, "-m", "omh.cli", "serve", "--root", str(root),
             "--dev-addr", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            first = _wait_for(url, "<h1", server, 1800)
            print(f"{args.size:,} records: first page served after {first:.1f} s")
            times = []
            for edit in range(1, args.edits + 1):
                marker = f"revised {edit} times"
                revised = original.replace("description: '", f"description: '{marker}: ", 1)
                if revised == original:
                    raise SystemExit(f"{record}: no description to edit (a synthetic record?)")
                record.write_text(revised, encoding="utf-8")
                times.append(_wait_for(url, marker, server, 600))
                print(f"edit {edit}: new page served after {times[-1]:.2f} s")
                time.sleep(1.0)  # let the search index of that build finish, as a person would
        finally:
            record.write_text(original, encoding="utf-8")
            server.terminate()
            server.wait(timeout=30)
        median = statistics.median(times)
        print(f"median edit to new page: {median:.2f} s; over the first page's time: "
              f"{median / first:.3f}; over the budget of {BUDGET_SECONDS:.0f} s: "
              f"{median / BUDGET_SECONDS:.2f}")


if __name__ == "__main__":
    main()
