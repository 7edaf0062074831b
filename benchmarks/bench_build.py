"""``omh build`` on synthetic catalogues, next to a bare ``mkdocs build`` of as many plain pages.

For each size, writes a synthetic catalogue (``synthetic.generate``), builds its site, then builds
a bare MkDocs Material site (same theme configuration, fonts off) of the same number of plain
Markdown pages, and prints build time and output size of both and their ratios. The bare site's
navigation lists only its home page: MkDocs' default navigation lists every page on every page,
which makes the output grow with the square of the number of pages (``--default-nav`` shows it;
use it with small sizes only).

    python benchmarks/bench_build.py [--sizes 1000 10000] [--default-nav]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate

from site_generator.build import build_site, mkdocs_logging

PLAIN_PAGE = """# Page {i}

A plain page of the baseline site, number {i}. It has a heading, two paragraphs and a short
table, which is about what a hand-written documentation page holds.

Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco.

| key | value |
|-----|-------|
| id  | {i}   |
| kind | plain |
"""


class Measure(NamedTuple):
    seconds: float
    bytes: int
    files: int
    pages: int
    largest_page: int


def measure(site: Path, seconds: float) -> Measure:
    total = files = pages = largest = 0
    for folder, _, names in os.walk(site):
        for name in names:
            size = (Path(folder) / name).stat().st_size
            total += size
            files += 1
            if name.endswith(".html"):
                pages += 1
                largest = max(largest, size)
    return Measure(seconds, total, files, pages, largest)


def bare_build(work: Path, pages: int, default_nav: bool) -> Measure:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = work / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Baseline\n\nThe home page of the baseline site.\n")
    for i in range(1, pages):
        (docs / f"page-{i}.md").write_text(PLAIN_PAGE.format(i=i))
    config = {
        "site_name": "Baseline", "docs_dir": str(docs), "site_dir": str(work / "site"),
        "theme": {"name": "material", "font": False},
        "plugins": ["search"],
    }
    if not default_nav:
        config["nav"] = [{"Home": "index.md"}]
        config["not_in_nav"] = "/page-*.md"
    config_file = work / "mkdocs.yml"
    config_file.write_text(json.dumps(config))
    start = time.perf_counter()
    with mkdocs_logging(verbose=False):
        build(load_config(config_file=str(config_file)))
    return measure(work / "site", time.perf_counter() - start)


def omh_build(work: Path, size: int) -> tuple[Measure, int, dict[str, float]]:
    root = work / "catalogue"
    generate(root, size)
    start = time.perf_counter()
    result = build_site(root, work / "site")
    return measure(work / "site", time.perf_counter() - start), result.pages, result.timings


def mib(value: int) -> str:
    return f"{value / 1024 / 1024:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--default-nav", action="store_true",
                        help="give the bare site MkDocs' default navigation (every page listed "
                             "on every page)")
    args = parser.parse_args()
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="omh-bench-") as folder:
            work = Path(folder)
            ours, generated, timings = omh_build(work / "omh", size)
            bare = bare_build(work / "bare", ours.pages, args.default_nav)
        print(f"\n{size:,} records: omh build wrote {ours.pages:,} pages "
              f"({generated:,} generated) and {ours.files:,} files")
        print(f"{'':<14}{'seconds':>10}{'output':>14}{'files':>9}{'largest page':>15}"
              f"{'ms/page':>10}{'KiB/page':>10}")
        for name, m in (("omh build", ours), ("bare mkdocs", bare)):
            print(f"{name:<14}{m.seconds:>10.1f}{mib(m.bytes):>14}{m.files:>9,}"
                  f"{m.largest_page / 1024:>12.1f} KiB{1000 * m.seconds / m.pages:>10.2f}"
                  f"{m.bytes / 1024 / m.pages:>10.1f}")
        print("omh build time: " + ", ".join(f"{name} {seconds:.1f} s"
                                             for name, seconds in timings.items()))
        print(f"ratios omh / bare: time {ours.seconds / bare.seconds:.2f}, "
              f"output size {ours.bytes / bare.bytes:.2f}, "
              f"largest page {ours.largest_page / bare.largest_page:.2f}")


if __name__ == "__main__":
    main()
