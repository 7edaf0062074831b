"""What a reader's browser downloads for one asset page: its HTML and every script it loads,
each gzipped (as a server sends them), for the site built from this working tree and for the
site of an earlier revision, side by side, as a ratio.

    python benchmarks/bench_page_weight.py [--before REV] [--page models/climate-detection-resnet/]

The earlier revision is taken with ``git archive`` into a temporary folder (the repository is
not touched), its JavaScript libraries installed there with ``npm ci`` at the versions its own
package-lock.json pins, and built with its own code.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASELINE = "d2860b9"
"""The last revision whose asset pages loaded Mermaid (3.5 MB) for their lineage graph."""
SCRIPT = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def page_weight(site: Path, page: str) -> tuple[int, list[tuple[str, int]]]:
    """The gzipped size of the page's HTML and of each script it loads."""
    html_file = site / page / "index.html"
    html = html_file.read_bytes()
    scripts = []
    for src in SCRIPT.findall(html.decode("utf-8")):
        target = (html_file.parent / src).resolve()
        scripts.append((src.rsplit("/", 1)[-1], gzipped(target.read_bytes())))
    return gzipped(html), scripts


def build(root: Path, out: Path, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "omh.cli", "build", "--root", str(root),
                           "--site-dir", str(out), "--force"], env=env, cwd=root,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"building {root} failed:\n{done.stderr[-2000:]}")


def build_revision(revision: str, work: Path) -> Path:
    source = work / "before"
    source.mkdir()
    archive = work / "before.tar"
    with archive.open("wb") as handle:
        subprocess.run(["git", "-C", str(REPO), "archive", revision], stdout=handle, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(source, filter="data")
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"],
                   cwd=source, check=True)
    env = {**os.environ, "PYTHONPATH": str(source),
           "OMH_NODE_MODULES": str(source / "node_modules")}
    build(source, work / "before-site", env)
    return work / "before-site"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BASELINE, help="the earlier revision")
    parser.add_argument("--page", default="models/climate-detection-resnet/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="omh-page-weight-") as folder:
        work = Path(folder)
        build(REPO, work / "after-site", {**os.environ, "PYTHONPATH": str(REPO)})
        sites = {"before": build_revision(args.before, work), "after": work / "after-site"}
        totals = {}
        for name, site in sites.items():
            html, scripts = page_weight(site, args.page)
            totals[name] = html + sum(size for _, size in scripts)
            parts = ", ".join(f"{script} {size / 1024:.1f}" for script, size in scripts)
            print(f"{name:>6}: {totals[name] / 1024:8.1f} KiB gzipped = HTML {html / 1024:.1f} "
                  f"+ scripts ({parts})")
    print(f"{args.page}: the page and its scripts weigh {totals['before'] / totals['after']:.1f}"
          f" times less than at {args.before} ({totals['after'] / 1024:.1f} KiB gzipped)")


if __name__ == "__main__":
    main()
