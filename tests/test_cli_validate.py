"""``omh validate``: exit codes, output formats, --root, and checking only what changed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import minimal_records, write_catalogue, write_record

from catalogue.check.scope import select_scope
from catalogue.load.store import RecordStore
from omh.cli import main


def _break_model(root: Path) -> None:
    records = minimal_records()
    records["models/test-model"]["framework"] = "pytorh"
    write_catalogue(root, {"models/test-model": records["models/test-model"]})


def test_clean_catalogue_exits_zero(catalogue: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--root", str(catalogue)]) == 0
    assert "6 record(s) checked: 0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_findings_exit_one_with_text_format(catalogue: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _break_model(catalogue)
    monkeypatch.chdir(catalogue)
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "framework" in line)
    path, lineno, col, rest = line.split(":", 3)
    assert path == "models/test-model/record.yaml"
    assert int(lineno) > 1 and int(col) == 1
    assert rest.startswith(" error: field 'framework'")


def test_json_format(catalogue: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break_model(catalogue)
    assert main(["validate", "--root", str(catalogue), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 1
    finding = report["findings"][0]
    assert finding["field"] == "framework" and finding["record"] == "models/test-model"
    assert finding["path"].endswith("models/test-model/record.yaml")


def test_github_format(catalogue: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    _break_model(catalogue)
    monkeypatch.chdir(catalogue)
    assert main(["validate", "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("::error file=models/test-model/record.yaml,line=")
    assert ",title=schema::field 'framework'" in first


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--root", str(tmp_path / "missing")])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--format", "xml"])
    assert exc.value.code == 2


def test_console_script_runs_without_traceback(catalogue: Path) -> None:
    write_record(catalogue, "researchers/ada-lovelace", "kind: [unclosed\n")
    result = subprocess.run([sys.executable, "-m", "omh.cli", "validate", "--root",
                             str(catalogue)], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "researchers/ada-lovelace/record.yaml:2:1: error: YAML syntax error" in result.stdout
    # The process ends without the interpreter's clean-up (``cli.finish``), output flushed.
    assert "record(s) checked" in result.stdout.splitlines()[-1]


def test_named_record_scope_is_record_plus_referrers(catalogue: Path) -> None:
    store = RecordStore(catalogue)
    scope = select_scope(store, [catalogue / "datasets/test-data/record.yaml"])
    assert scope.ids == ["datasets/test-data", "experiments/test-run", "models/test-model"]
    # Only the named record and its referrers were parsed.
    assert {r.id for r in store.loaded()} <= set(scope.ids) | {"datasets/test-data"}


def test_named_paths_report_only_their_scope(catalogue: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _break_model(catalogue)
    records = minimal_records()
    records["organizations/test-institute"]["name"] = ""
    write_catalogue(catalogue, {"organizations/test-institute":
                                records["organizations/test-institute"]})
    monkeypatch.chdir(catalogue)
    assert main(["validate", "models/test-model/README.md"]) == 1
    out = capsys.readouterr().out
    assert "framework" in out and "organizations/test-institute" not in out
    assert "2 record(s) checked" in out  # the model and the experiment that produced it


def test_removed_record_breaks_its_referrers(catalogue: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(catalogue / "datasets" / "test-data")
    monkeypatch.chdir(catalogue)
    assert main(["validate", "datasets/test-data/record.yaml"]) == 1
    out, err = capsys.readouterr()
    assert "no dataset 'datasets/test-data'" in out
    assert "datasets/test-data/record.yaml does not exist" in err
    assert "experiments/test-run/record.yaml" in out and "models/test-model/record.yaml" in out


def test_non_record_paths_check_nothing(catalogue: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (catalogue / "notes.txt").write_text("hello")
    monkeypatch.chdir(catalogue)
    assert main(["validate", "notes.txt"]) == 0
    assert "0 record(s) checked" in capsys.readouterr().out
