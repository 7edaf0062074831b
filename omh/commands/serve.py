"""``omh serve``: preview the site with live reload while editing records."""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

from omh.reporting import format_findings


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
               parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "serve", parents=[parent],
        help="preview the site on a local server, rebuilding it when a record changes",
        description="Build the site into a temporary folder and serve it (MkDocs' development "
                    "server with live reload). A change to a record, a card or catalogue.yaml "
                    "rebuilds the pages. Findings are printed but do not stop the preview.")
    parser.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT",
                        help="address to serve on (default: 127.0.0.1:8000)")
    parser.add_argument("--open", action="store_true", help="open the site in a browser")


def run(args: argparse.Namespace) -> int:
    from catalogue.pipeline import validate
    from site_generator.assets import MissingAssets
    from site_generator.build import SiteBuildError, serve_site

    findings, scope = validate(args.root)
    if findings:
        print(format_findings(findings, args.root, "text", len(scope.ids)), file=sys.stderr)
    # Stopped by a process manager (SIGTERM) as by Ctrl-C: MkDocs removes its temporary site
    # and the build its work folders, which a plain termination would leave behind.
    stopping = signal.signal(signal.SIGTERM, _interrupt)
    try:
        serve_site(args.root, dev_addr=args.dev_addr, open_browser=args.open)
    except (SiteBuildError, MissingAssets) as exc:
        print(f"omh serve: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, stopping)
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
