"""The ``omh`` command. Each verb lives in ``omh/commands/<verb>.py``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from catalogue import __version__
from omh.commands import build as build_command
from omh.commands import carbon as carbon_command
from omh.commands import check_artefacts as check_artefacts_command
from omh.commands import export as export_command
from omh.commands import import_codecarbon as import_codecarbon_command
from omh.commands import import_croissant as import_croissant_command
from omh.commands import import_hf as import_hf_command
from omh.commands import import_mlflow as import_mlflow_command
from omh.commands import new as new_command
from omh.commands import parity as parity_command
from omh.commands import quality as quality_command
from omh.commands import serve as serve_command
from omh.commands import validate as validate_command

COMMANDS = {"validate": validate_command, "carbon": carbon_command,
            "export": export_command, "parity": parity_command,
            "build": build_command, "serve": serve_command,
            "quality": quality_command, "new": new_command, "import-hf": import_hf_command,
            "import-mlflow": import_mlflow_command,
            "import-codecarbon": import_codecarbon_command,
            "import-croissant": import_croissant_command,
            "check-artefacts": check_artefacts_command}


def _root(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"--root {value}: not a folder")
    return path.resolve()


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=_root, default=Path.cwd(), metavar="DIR",
                        help="the catalogue folder (default: the current folder)")
    parser = argparse.ArgumentParser(
        prog="omh", description="Open Models Hub: check and publish a catalogue of ML assets.")
    parser.add_argument("--version", action="version", version=f"omh {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(COMMANDS[args.command].run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
