"""``omh build``: check the catalogue and build its static site (MkDocs Material)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from omh.reporting import format_findings


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "build", parents=[parent],
        help="build the static site (site/ under the catalogue folder by default)",
        description="Check the catalogue like omh validate, then build its static site with "
                    "MkDocs Material: a page per record, a list per kind, lineage graphs and a "
                    "carbon dashboard. With errors, nothing is built unless --force is given. "
                    "Exit 0 when built, 1 when not built, 2 for usage errors.")
    parser.add_argument("--site-dir", type=Path, metavar="DIR",
                        help="where to write the site (default: site/ in the catalogue folder); "
                             "it is replaced whole, so it must be empty or a site omh build made, "
                             "and not a symlink")
    parser.add_argument("--force", action="store_true",
                        help="build even if the catalogue has errors (records that cannot be "
                             "read get no page)")
    parser.add_argument("--verbose", action="store_true", help="show MkDocs' progress")
    parser.add_argument("--no-cache", action="store_true",
                        help="build every page anew instead of reusing those of records "
                             "unchanged since the last build (the cache is in the catalogue's "
                             "cache folder)")
    parser.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                        help="processes checking records, scoring them and building their "
                             "pages (default 0: one per core; 1: this process only)")


def run(args: argparse.Namespace) -> int:
    from site_generator.assets import MissingAssets
    from site_generator.build import CatalogueHasErrors, SiteBuildError, build_site

    root: Path = args.root
    # Not resolved: a symlinked site folder is refused, never followed.
    site_dir = Path(os.path.abspath(args.site_dir)) if args.site_dir else None
    try:
        result = build_site(root, site_dir, force=args.force, verbose=args.verbose,
                            cache=not args.no_cache, jobs=max(0, args.jobs))
    except CatalogueHasErrors as exc:
        print(format_findings(exc.findings, root, "text", exc.checked), file=sys.stderr)
        print(f"omh build: {exc}", file=sys.stderr)
        return 1
    except (SiteBuildError, MissingAssets) as exc:
        print(f"omh build: {exc}", file=sys.stderr)
        return 1
    errors = [f for f in result.findings if f.severity == "error"]
    if result.findings:
        print(format_findings(result.findings, root, "text", result.records), file=sys.stderr)
    for message in result.warnings:
        print(f"omh build: warning: {message}", file=sys.stderr)
    where = result.site_dir
    if where.is_relative_to(Path.cwd()):
        where = where.relative_to(Path.cwd())
    note = f" despite {len(errors)} error(s) (--force)" if errors else ""
    print(f"built {result.pages} pages and {result.files} files into {where}/ in "
          f"{result.seconds:.1f} s{note}")
    return 0
