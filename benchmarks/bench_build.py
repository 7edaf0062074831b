"""``omh build`` on synthetic catalogues: a full build, a rebuild after one change, one process
against the pool, and a bare ``mkdocs build`` of as many plain pages, with ratios from one run.

For each size, writes a synthetic catalogue (``synthetic.generate``) and, each build in a
process of its own (so that its peak memory is its own):

- a full build with an empty build cache, in one process per core: time, size, and the time
  and peak RSS at the end of each stage (check, generate, MkDocs, search index);
- a rebuild after one model's description changed, with the cache: its time over the full
  build's (budget 0.10). Twice: the first rebuild after the full build has no site before last
  and starts from a copy of the site (``spare_site``); the second starts from the site before
  last, as every later one does;
- the same catalogue with no cache in one process (``--jobs 1``): the pool's time over it;
- a bare MkDocs Material site (same theme configuration, fonts off) of as many plain Markdown
  pages, built right after the full build (a machine's pace can drift between builds minutes
  apart): the full build's time over it (budget 2.00). The bare site's navigation lists only its
  home page: MkDocs' default one lists every page on every page, which makes the output grow
  with the square of the number of pages (``--default-nav`` shows it; small sizes only).

Every build is timed from a settled disk (``settle_disk``), and runs with the project's bytecode
compiled, as Python leaves it after a first run (``project_bytecode``): a machine that sets
``PYTHONDONTWRITEBYTECODE`` would compile every module of the project again in every build.
What that costs is printed once, as the time to import the build from source over the time
with the bytecode.

With ``--rounds N``, the full build, the bare build beside it and the two rebuilds are measured
N times, each round on a fresh copy of the catalogue with no cache, and the medians of the
rounds' ratios are printed too: one build's time varies by a tenth or more here from one minute
to the next, on the same code.

With ``--analyse``, also what the Analyse pages add. Above ``--bare-up-to`` records (10,000 by
default) only the full build and the rebuild run: ``--sizes 30000 100000`` gives their time and
peak RSS per stage.

    python benchmarks/bench_build.py [--sizes 1000 10000] [--bare-up-to N] [--rounds N]
                                     [--analyse]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate

from catalogue.load.forked import default_jobs
from site_generator.build import mkdocs_logging

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
    config: dict[str, Any] = {
        "site_name": "Baseline", "docs_dir": str(docs), "site_dir": str(work / "site"),
        "theme": {"name": "material", "font": False},
        "plugins": ["search"],
    }
    if not default_nav:
        config["nav"] = [{"Home": "index.md"}]
        config["not_in_nav"] = "/page-*.md"
    config_file = work / "mkdocs.yml"
    config_file.write_text(json.dumps(config))
    settle_disk()
    start = time.perf_counter()
    with mkdocs_logging(verbose=False):
        build(load_config(config_file=str(config_file)))
    return measure(work / "site", time.perf_counter() - start)


_BUILD = """
import json, sys
from pathlib import Path
from catalogue.load.collector import whole_process
from omh.cli import finish
from site_generator.build import build_site
whole_process()  # as omh build runs
result = build_site(Path(sys.argv[1]), Path(sys.argv[2]), cache=sys.argv[3] == "cache",
                    jobs=int(sys.argv[4]), force=True)
print(json.dumps({"pages": result.pages, "reused": result.reused, "timings": result.timings,
                  "rss": result.peak_rss, "in_place": result.in_place}))
finish(0)  # as omh build ends
"""


def settle_disk() -> None:
    """Wait until what was written before (the catalogue, the last build's site and cache) is
    on disk: each build is timed from a settled disk, not while the kernel writes back what the
    one before wrote (1.8 GB after a full build at 10,000 records, on the same two cores)."""
    os.sync()


class Build(NamedTuple):
    site: Measure
    pages: int
    reused: int
    timings: dict[str, float]
    rss: dict[str, float]
    """Peak RSS in MiB when each stage ended."""
    in_place: bool
    """Whether the build started from the site before last."""


def omh_build(root: Path, site: Path, *, cache: bool = True, jobs: int = 0) -> Build:
    """``omh build`` in a process of its own, so that its peak memory is its own."""
    settle_disk()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _BUILD, str(root), str(site),
                           "cache" if cache else "none", str(jobs)],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"omh build failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return Build(measure(site, seconds), report["pages"], report["reused"], report["timings"],
                 report["rss"], report["in_place"])


PACKAGES = ("catalogue", "site_generator", "omh")
"""The project's own packages: an editable install leaves their bytecode to Python's first run
(a package installed from a wheel has it compiled by pip)."""


def project_bytecode(compiled: bool) -> None:
    """Compile the project's packages' bytecode (into their ``__pycache__``, git-ignored), or
    remove it."""
    project = Path(__file__).resolve().parents[1]
    for package in PACKAGES:
        if compiled:
            compileall.compile_dir(project / package, quiet=1)
        else:
            for cached in (project / package).rglob("__pycache__"):
                shutil.rmtree(cached)


def import_seconds() -> float:
    """The time a new process takes to import the build (the best of three), writing no
    bytecode."""
    code = ("import time; t = time.perf_counter(); import site_generator.build; "
            "print(time.perf_counter() - t)")
    return min(float(subprocess.run([sys.executable, "-B", "-c", code], capture_output=True,
                                    text=True, check=True).stdout) for _ in range(3))


def change_one_record(root: Path, which: int = 0) -> str:
    """Edit one model's description, as a contributor would (``which``: another model than
    the last time); the record's id."""
    models = sorted((root / "models").iterdir())
    record = models[(len(models) // 2 + which) % len(models)]
    file = record / "record.yaml"
    text = file.read_text(encoding="utf-8")
    revised = text.replace(" generated for benchmarks", " generated, then revised, for benchmarks",
                           1)
    assert revised != text, "the synthetic description changed: update the benchmark"
    file.write_text(revised, encoding="utf-8")
    return f"models/{record.name}"


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


class Round(NamedTuple):
    full: Build
    bare: Measure | None
    rebuilds: list[tuple[str, Build]]
    """Each rebuild after a record changed, with the record's id."""


def measure_round(folder: Path, catalogue: Path, compared: bool, default_nav: bool) -> Round:
    """A full build of a copy of ``catalogue`` (in ``folder``) with no cache, the bare build
    (when ``compared``), and two rebuilds, each after one record changed."""
    root = folder / "catalogue"
    shutil.copytree(catalogue, root, symlinks=True)
    full = omh_build(root, folder / "site")
    # Next to the full build: this machine's pace drifts by a tenth or more in minutes.
    bare = bare_build(folder / "bare", full.site.pages, default_nav) if compared else None
    shutil.rmtree(folder / "bare", ignore_errors=True)
    rebuilds = []
    for which in (0, 1):
        changed = change_one_record(root, which)
        rebuilds.append((changed, omh_build(root, folder / "site")))
    return Round(full, bare, rebuilds)


def print_round(size: int, found: Round) -> None:
    full = found.full
    ours = full.site
    print(f"full build (empty cache, {default_jobs()} processes): {ours.seconds:.1f} s, "
          f"peak RSS {max(full.rss.values()):,.0f} MiB; stages: {stages(full)}")
    for number, (changed, rebuild) in enumerate(found.rebuilds):
        start = ("into an empty folder" if not rebuild.in_place else
                 "from a copy of the site" if number == 0 else "from the site before last")
        print(f"rebuild after changing {changed}, {start}: {rebuild.site.seconds:.1f} s "
              f"({rebuild.reused:,} of {size:,} records' pages reused, peak RSS "
              f"{max(rebuild.rss.values()):,.0f} MiB); stages: {stages(rebuild)}")
        print(f"ratio rebuild / full build: {rebuild.site.seconds / ours.seconds:.3f} "
              "(budget 0.10)")
    bare = found.bare
    if bare is not None:
        print(f"bare mkdocs, {bare.pages:,} plain pages: {bare.seconds:.1f} s; "
              f"ratio omh / bare: time {ours.seconds / bare.seconds:.2f} (budget 2.00), "
              f"output size {ours.bytes / bare.bytes:.2f}, "
              f"largest page {ours.largest_page / bare.largest_page:.2f}")


def print_medians(rounds: list[Round]) -> None:
    """The medians of the rounds' ratios, each measured within its round."""
    parts = []
    bares = [(r.full.site.seconds, r.bare.seconds) for r in rounds if r.bare is not None]
    if bares:
        parts.append("omh / bare time "
                     f"{statistics.median(ours / bare for ours, bare in bares):.2f} "
                     "(budget 2.00)")
    for number in range(len(rounds[0].rebuilds)):
        ratio = statistics.median(r.rebuilds[number][1].site.seconds / r.full.site.seconds
                                  for r in rounds)
        parts.append(f"rebuild {number + 1} / full build {ratio:.3f} (budget 0.10)")
    print(f"medians of {len(rounds)} rounds: " + "; ".join(parts))


def mib(value: int) -> str:
    return f"{value / 1024 / 1024:.1f} MiB"


def stages(build: Build) -> str:
    return ", ".join(f"{name} {seconds:.1f} s" + (f" / {build.rss[name]:,.0f} MiB"
                                                  if name in build.rss else "")
                     for name, seconds in build.timings.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--default-nav", action="store_true",
                        help="give the bare site MkDocs' default navigation (every page listed "
                             "on every page)")
    parser.add_argument("--bare-up-to", type=int, default=10_000, metavar="N",
                        help="build the bare MkDocs site and the one-process comparison only "
                             "for sizes up to N (default 10000)")
    parser.add_argument("--rounds", type=int, default=1, metavar="N",
                        help="measure the full, bare and cached builds N times, each round on a "
                             "fresh copy with no cache, and print the medians of their ratios")
    parser.add_argument("--analyse", action="store_true",
                        help="also measure what the Analyse pages add")
    args = parser.parse_args()
    project_bytecode(compiled=False)
    from_source = import_seconds()
    project_bytecode(compiled=True)
    compiled = import_seconds()
    print(f"importing the build: {compiled:.2f} s with the project's bytecode, "
          f"{from_source:.2f} s compiling it (ratio {from_source / compiled:.2f}); the builds "
          "below run with the bytecode")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="omh-bench-") as folder:
            work = Path(folder)
            catalogue = work / "catalogue"
            generate(catalogue, size)
            compared = size <= args.bare_up_to
            rounds: list[Round] = []
            for number in range(max(1, args.rounds)):
                if rounds:  # (the last round's folder serves what follows)
                    shutil.rmtree(work / f"round-{number - 1}")
                rounds.append(measure_round(work / f"round-{number}", catalogue, compared,
                                            args.default_nav))
            last = work / f"round-{len(rounds) - 1}"
            one = omh_build(last / "catalogue", work / "one", cache=False, jobs=1) \
                if compared else None
            cost = analyse_cost(last / "catalogue", last / "site") if args.analyse else None
        ours = rounds[-1].full.site
        print(f"\n{size:,} records: omh build wrote {ours.pages:,} pages and "
              f"{ours.files:,} files ({mib(ours.bytes)})")
        for number, found in enumerate(rounds):
            if len(rounds) > 1:
                print(f"round {number + 1}:")
            print_round(size, found)
        if len(rounds) > 1:
            print_medians(rounds)
        if one is not None:
            print(f"one process, no cache: {one.site.seconds:.1f} s; ratio pool / one process: "
                  f"{ours.seconds / one.site.seconds:.2f}")
        if cost is not None:
            mkdocs_share = cost.pages * ours.seconds / ours.pages
            added = cost.derive_seconds + cost.generate_seconds + mkdocs_share
            print(f"Analyse pages: {cost.pages:,} ({cost.leaderboards:,} leaderboards); "
                  f"computing {cost.derive_seconds:.2f} s, generating "
                  f"{cost.generate_seconds:.2f} s, MkDocs about {mkdocs_share:.2f} s; largest "
                  f"page {cost.largest_page / 1024:.1f} KiB, largest JSON "
                  f"{cost.largest_json / 1024:.1f} KiB; ratios: Analyse time / build time "
                  f"{added / ours.seconds:.3f} (budget 0.10), largest Analyse page / 100 KiB "
                  f"{cost.largest_page / 102400:.2f} (budget 1.00)")


if __name__ == "__main__":
    main()
