"""Hostile records and settings: what the loader and the checks refuse, quickly, in bounded
memory, with a message of bounded length and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import errors_for, findings_for, minimal_records, write_catalogue, write_record

from catalogue.load.schema_check import ecma_regex
from catalogue.load.settings_file import load_settings
from catalogue.load.store import RecordStore
from catalogue.model.findings import MAX_MESSAGE_CHARS, clip
from catalogue.model.ids import is_commit, is_hf_repo_id, is_slug
from catalogue.model.yaml_source import YamlError, parse_yaml


def _omh(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from omh.cli import main; raise "
                           "SystemExit(main())", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


# -- 3: one long string aliased many times ---------------------------------------------------


def test_an_aliased_long_string_is_refused_by_its_expanded_size() -> None:
    text = "description: &big " + "x" * 150_000 + "\nsubjects: [" + ", ".join(
        ["*big"] * 45_000) + "]\n"
    start = time.perf_counter()
    with pytest.raises(YamlError) as refused:
        parse_yaml(text)
    assert time.perf_counter() - start < 10
    assert refused.value.rule == "yaml-too-complex"
    assert "characters" in refused.value.message and len(refused.value.message) < 500


def test_the_aliased_record_is_one_short_finding_on_disk(tmp_path: Path) -> None:
    records = minimal_records()
    root = write_catalogue(tmp_path, records)
    text = ("kind: dataset\nname: &big " + "y" * 300_000 + "\ndescription: *big\nsubjects: ["
            + ", ".join(["*big"] * 2_000) + "]\n")
    write_record(root, "datasets/test-data", text)
    result = _omh("validate", "--root", str(root), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert len(result.stdout) < 20_000
    assert "yaml-too-complex" in result.stdout


# -- 11, 12, 13: numbers --------------------------------------------------------------------


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "1e400", "-1e400"])
def test_non_finite_numbers_are_refused(tmp_path: Path, value: str) -> None:
    records = minimal_records()
    records["experiments/test-run"]["metrics"] = [{"name": "accuracy", "value": 0.5}]
    root = write_catalogue(tmp_path, records)
    path = root / "experiments" / "test-run" / "record.yaml"
    path.write_text(path.read_text().replace("value: 0.5", f"value: {value}"))
    errors = errors_for(root)
    assert [f.rule for f in errors] == ["yaml-number"], errors
    assert "finite" in errors[0].message and errors[0].location.line > 1


def test_a_huge_hex_size_is_one_finding_and_no_traceback(tmp_path: Path) -> None:
    records = minimal_records()
    records["models/test-model"]["artefacts"] = [
        {"path": "model.onnx", "sha256": "0" * 64, "size_bytes": 1, "role": "onnx",
         "media_type": "application/octet-stream"}]
    root = write_catalogue(tmp_path, records)
    path = root / "models" / "test-model" / "record.yaml"
    path.write_text(path.read_text().replace("size_bytes: 1", "size_bytes: 0x" + "f" * 3600))
    result = _omh("validate", "--root", str(root), cwd=tmp_path)
    assert "Traceback" not in result.stderr and result.returncode == 1
    assert "out of range" in result.stdout and len(result.stdout) < 5_000
    for text in ("9" * 5000, "0x" + "f" * 17, str(2**63), str(-(2**63) - 1)):
        with pytest.raises(YamlError, match="out of range"):
            parse_yaml(f"n: {text}\n")
    assert parse_yaml(f"n: {2**63 - 1}\n").value == {"n": 2**63 - 1}


@pytest.mark.parametrize(("setting", "value"), [
    ("timeout_seconds", ".nan"), ("timeout_seconds", ".inf"), ("timeout_seconds", "1e400"),
    ("timeout_seconds", "100000"), ("max_download_bytes", "0x" + "f" * 40),
    ("cache_dir", "/etc"), ("cache_dir", "../outside"), ("cache_dir", "a/../../b"),
    ("cache_dir", "models/test-model/cache"), ("cache_dir", "datasets"), ("cache_dir", ".git/x"),
])
def test_settings_are_finite_and_bounded(tmp_path: Path, setting: str, value: str) -> None:
    (tmp_path / "catalogue.yaml").write_text(f"title: T\nartefacts:\n  {setting}: {value}\n")
    settings, findings = load_settings(tmp_path)
    assert findings, (setting, value)
    assert settings.artefacts.timeout_seconds == 60 and settings.artefacts.cache_dir == ".omh-cache"


def test_record_size_limit_has_a_ceiling(tmp_path: Path) -> None:
    (tmp_path / "catalogue.yaml").write_text("title: T\nlimits:\n  max_record_bytes: 17000000\n")
    assert load_settings(tmp_path)[1]
    (tmp_path / "catalogue.yaml").write_text("title: T\nlimits:\n  max_record_bytes: 2000000\n")
    assert load_settings(tmp_path) == (load_settings(tmp_path)[0], [])


def test_a_nan_setting_never_reaches_a_download(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path, minimal_records())
    (root / "catalogue.yaml").write_text("title: T\nartefacts:\n  timeout_seconds: .nan\n")
    result = _omh("check-artefacts", "--fetch", "--root", str(root), cwd=tmp_path)
    assert "Traceback" not in result.stderr + result.stdout


# -- 14: identifiers end where the text ends ------------------------------------------------


def test_identifiers_with_a_final_newline_are_refused() -> None:
    assert not is_slug("evil\n") and is_slug("evil")
    assert not is_commit("a" * 40 + "\n") and is_commit("a" * 40)
    assert not is_hf_repo_id("owner/name\n") and is_hf_repo_id("owner/name")
    assert ecma_regex("^[a-z]+$").search("evil\n") is None
    assert ecma_regex(r"^[a-z$]+\$x$").search("a$$x") is not None


def test_a_reference_with_a_newline_fails_the_schema(tmp_path: Path) -> None:
    records = minimal_records()
    records["models/test-model"]["training_datasets"] = ["datasets/test-data\n"]
    records["models/test-model"]["task"] = "image-classification\n"
    root = write_catalogue(tmp_path, records)
    fields = {f.field for f in errors_for(root)}
    assert {"training_datasets[0]", "task"} <= fields


@pytest.mark.skipif(sys.platform == "win32", reason="a newline in a folder name")
def test_a_folder_named_with_a_newline_is_not_a_record(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path, minimal_records())
    write_record(root, "models/evil\n", minimal_records()["models/test-model"])
    store = RecordStore(root)
    assert "models/evil\n" not in store.paths
    assert [f.rule for f in store.discovery_findings["models/evil\n"]] == ["slug"]


# -- 16: symlinked records, record folders and kind folders ---------------------------------


def test_symlinked_records_folders_and_kind_folders_are_refused(tmp_path: Path) -> None:
    outside = write_catalogue(tmp_path / "outside", minimal_records())
    root = write_catalogue(tmp_path / "hub", minimal_records())
    (root / "models" / "linked-file").mkdir()
    os.symlink(outside / "models" / "test-model" / "record.yaml",
               root / "models" / "linked-file" / "record.yaml")
    os.symlink(outside / "models" / "test-model", root / "models" / "linked-folder")
    (root / "resources" / "test-workstation" / "record.yaml").unlink()
    (root / "resources" / "test-workstation").rmdir()
    (root / "resources").rmdir()
    os.symlink(outside / "resources", root / "resources")
    store = RecordStore(root)
    assert not {"models/linked-file", "models/linked-folder"} & set(store.paths)
    assert not any(i.startswith("resources/") for i in store.paths)
    rules = {key: [f.rule for f in found] for key, found in store.discovery_findings.items()}
    assert rules["models/linked-file"] == ["symlink"]
    assert rules["models/linked-folder"] == ["symlink"]
    assert rules["resources"] == ["symlink"]
    assert {"symlink"} <= {f.rule for f in findings_for(root)}


# -- 22: messages quote values, never whole ones ------------------------------------------


def test_messages_clip_long_values(tmp_path: Path) -> None:
    records = minimal_records()
    records["datasets/test-data"]["format"] = "z" * 900_000
    records["datasets/test-data"]["license"] = "L" * 50_000
    root = write_catalogue(tmp_path, records)
    (root / "catalogue.yaml").write_text(
        "title: T\nlimits:\n  max_record_bytes: 4000000\n", encoding="utf-8")
    findings = findings_for(root)
    assert findings
    assert max(len(f.message) for f in findings) <= MAX_MESSAGE_CHARS + 60
    result = _omh("validate", "--root", str(root), "--format", "json", cwd=tmp_path)
    assert len(result.stdout) < 50_000
    json.loads(result.stdout)
    assert clip("a" * 1000).endswith("(920 more characters)")
    assert "digits" in clip(16**3600)


def test_json_writers_refuse_what_json_cannot_hold() -> None:
    from catalogue.standards.jsonld import script_json
    from site_generator.render import ENVIRONMENT

    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError):
            script_json({"value": bad})
        with pytest.raises(ValueError):
            ENVIRONMENT.from_string("{{ v | tojson }}").render(v=bad)


def _check_site_module() -> object:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / ".github" / "scripts" / "check_site.py"
    spec = importlib.util.spec_from_file_location("check_site", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_check_finds_nan_and_inline_scripts(tmp_path: Path) -> None:
    check_site = _check_site_module()
    site = tmp_path / "site"
    (site / "api").mkdir(parents=True)
    for name in ("404.html", "sitemap.xml"):
        (site / name).write_text("<p>x</p>")
    (site / "index.html").write_text(
        '<script type="application/ld+json">{"a": NaN}</script><script>alert(1)</script>'
        '<script src="x.js" ></script><script type="application/json">{"b": 1}</script>')
    (site / "x.js").write_text("")
    (site / "api" / "m.jsonld").write_text('{"a": Infinity}')
    (site / "api" / "ok.json").write_text('{"a": 1}')
    problems = check_site.check_site(site)  # type: ignore[attr-defined]
    assert len(problems) == 3, problems
    assert any("index.html:1: JSON-LD" in p for p in problems)
    assert any("inline script" in p for p in problems)
    assert any(p.startswith("api/m.jsonld: not valid JSON") for p in problems)


def test_pr_scope_never_prints_a_newline_from_a_folder_name() -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / ".github" / "scripts" / "pr_scope.py"
    spec = importlib.util.spec_from_file_location("pr_scope", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scope = module.scope(["models/evil\n/record.yaml", "models/evil\nmodels=x/README.md"],
                         Path("."))
    assert scope == {"everything": "true", "records": "", "models": ""}
