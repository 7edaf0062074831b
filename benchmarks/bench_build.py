"""``omh build`` on synthetic catalogues, next to a bare ``mkdocs build`` of as many plain pages.

For each size, writes a synthetic catalogue (``synthetic.generate``), builds its site, then builds
a bare MkDocs Material site (same theme configuration, fonts off) of the same number of plain
Markdown pages, and prints build time and output size of both and their ratios; then what the
Analyse pages add (time to compute and generate them, their largest page and JSON file). The
bare site's navigation lists only its home page: MkDocs' default navigation lists every page on
every page, which makes the output grow with the square of the number of pages
(``--default-nav`` shows it; use it with small sizes only).

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


def omh_build(work: Path, size: int) -> tuple[Measure, int, dict[str, float], AnalyseCost]:
    root = work / "catalogue"
    generate(root, size)
    start = time.perf_counter()
    result = build_site(root, work / "site")
    built = measure(work / "site", time.perf_counter() - start)
    return built, result.pages, result.timings, analyse_cost(root, work / "site")


class AnalyseCost(NamedTuple):
    derive_seconds: float
    generate_seconds: float
    pages: int
    largest_page: int
    largest_json: int
    leaderboards: int


def analyse_cost(root: Path, site: Path) -> AnalyseCost:
    """What the Analyse pages add: computing the analyses, generating their pages, and the
    size of the largest of them (and of the JSON files beside them) in the built site."""
    from catalogue.derive.analyses import analyse
    from catalogue.pipeline import load_catalogue
    from catalogue.standards.urls import base_url
    from site_generator.analyse_view import analyse_pages
    from site_generator.carbon_view import carbon_figures
    from site_generator.render import SiteContext

    catalogue, _ = load_catalogue(root, check=False)
    carbon = carbon_figures(catalogue)
    context = SiteContext(catalogue, carbon, base_url(catalogue.settings.site_url))
    start = time.perf_counter()
    analyses = analyse(catalogue, carbon.report)
    derive_seconds = time.perf_counter() - start
    start = time.perf_counter()
    pages, _ = analyse_pages(context)
    generate_seconds = time.perf_counter() - start
    html = [p.stat().st_size for p in (site / "analyse").rglob("*.html")]
    data = [p.stat().st_size for p in (site / "analyse").rglob("*.json")]
    return AnalyseCost(derive_seconds, generate_seconds, len(pages), max(html, default=0),
                       max(data, default=0), len(analyses.leaderboards))


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
            ours, generated, timings, cost = omh_build(work / "omh", size)
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
        # MkDocs' share of the Analyse pages: as many pages at the build's average cost.
        mkdocs_share = cost.pages * ours.seconds / ours.pages
        added = cost.derive_seconds + cost.generate_seconds + mkdocs_share
        print(f"Analyse pages: {cost.pages:,} ({cost.leaderboards:,} leaderboards); computing "
              f"{cost.derive_seconds:.2f} s, generating {cost.generate_seconds:.2f} s, MkDocs "
              f"about {mkdocs_share:.2f} s; largest page {cost.largest_page / 1024:.1f} KiB, "
              f"largest JSON {cost.largest_json / 1024:.1f} KiB")
        print(f"ratios: Analyse time / build time {added / ours.seconds:.3f} (budget 0.10), "
              f"largest Analyse page / 100 KiB {cost.largest_page / 102400:.2f} (budget 1.00)")


if __name__ == "__main__":
    main()
