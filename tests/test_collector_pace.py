"""A command whose process ends with it keeps the collector's slower pace to its end (going back
to the default pace as a run returned started a collection of everything the run had made);
``omh serve``, which builds again and again, does not."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalogue.load.collector import THRESHOLDS
from omh import cli

REPOSITORY = Path(__file__).resolve().parents[1]


class _Ended(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


@pytest.fixture
def thresholds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``cli.run`` without ending the process; the collector's pace as it was afterwards."""
    def end(code: int) -> None:
        raise _Ended(code)

    monkeypatch.setattr(cli, "finish", end)
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@pytest.mark.usefixtures("thresholds")
def test_a_command_keeps_the_pace_of_a_whole_catalogue_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["omh", "validate", "--root", str(REPOSITORY)])
    with pytest.raises(_Ended) as ended:
        cli.run()
    assert ended.value.code == 0
    assert gc.get_threshold() == THRESHOLDS


@pytest.mark.usefixtures("thresholds")
def test_serve_keeps_the_default_pace(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["omh", "serve", "--help"])
    with pytest.raises(SystemExit):  # (argparse, once it has shown the help)
        cli.run()
    assert "serve" in capsys.readouterr().out
    assert gc.get_threshold() == (700, 10, 10)
