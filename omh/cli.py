"""The ``omh`` command. Each verb lives in ``omh/commands/<verb>.py``."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from catalogue import __version__

COMMANDS = {
    "validate": "validate", "carbon": "carbon", "export": "export", "parity": "parity",
    "build": "build", "serve": "serve", "quality": "quality", "new": "new",
    "import-hf": "import_hf", "import-mlflow": "import_mlflow",
    "import-codecarbon": "import_codecarbon", "import-croissant": "import_croissant",
    "check-artefacts": "check_artefacts",
}
"""Each verb and its module in ``omh.commands``, imported only when the verb is used (or help
lists them all), so that the pre-commit hook does not pay for the site, MLflow or the Hub."""


def command(verb: str) -> ModuleType:
    return importlib.import_module(f"omh.commands.{COMMANDS[verb]}")


def _verbs(argv: Sequence[str]) -> list[str]:
    """The verb the arguments name, or every verb (for help and usage errors)."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return [first] if first in COMMANDS else list(COMMANDS)


def _root(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"--root {value}: not a folder")
    return path.resolve()


def build_parser(verbs: Sequence[str] = tuple(COMMANDS)) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=_root, default=Path.cwd(), metavar="DIR",
                        help="the catalogue folder (default: the current folder)")
    parser = argparse.ArgumentParser(
        prog="omh", description="Open Models Hub: check and publish a catalogue of ML assets.")
    parser.add_argument("--version", action="version", version=f"omh {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for verb in verbs:
        command(verb).add_parser(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_verbs(arguments))
    args = parser.parse_args(arguments)
    try:
        return int(command(args.command).run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


def finish(code: int) -> NoReturn:
    """End the process with ``code`` once output is flushed, skipping the interpreter's
    clean-up: a build leaves hundreds of megabytes of objects, which Python would free one by
    one (1.9 s at 10,000 records) for the system to take the memory back anyway. Every file,
    folder and process a command opens is closed by the time it returns."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # (a closed pipe or stream: nothing to say)
            code = code or 1
    os._exit(code)


def run() -> NoReturn:
    """The ``omh`` console script: its process ends with the command, whose run keeps the
    collector's pace to the end (``collector``), but for ``omh serve``, which builds again and
    again."""
    if "serve" not in _verbs(sys.argv[1:]):
        from catalogue.load.collector import whole_process

        whole_process()
    finish(main())


if __name__ == "__main__":
    run()
