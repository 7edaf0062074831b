"""The GitHub workflows: zizmor and the workflow schema report nothing, the hardening rules
hold, and the helper scripts they run do what the workflows rely on."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from catalogue.model.yaml_source import parse_yaml

REPOSITORY = Path(__file__).resolve().parents[1]
GITHUB = REPOSITORY / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def _load(path: Path) -> dict[str, Any]:
    value = parse_yaml(path.read_text(encoding="utf-8")).value  # YAML 1.2: `on` stays a key
    assert isinstance(value, dict)
    return value


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, GITHUB / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' installs it)")
    return found


# -- the linters CI runs -------------------------------------------------------------------


def test_zizmor_reports_nothing() -> None:
    result = subprocess.run([_tool("zizmor"), "--offline", str(GITHUB / "workflows")],
                            capture_output=True, text=True, check=False, cwd=REPOSITORY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout


@pytest.mark.parametrize(("schema", "files"), [
    ("vendor.github-workflows", [str(p) for p in WORKFLOWS]),
    ("custom.github-workflows-require-timeout", [str(p) for p in WORKFLOWS]),
    ("vendor.github-issue-forms", [str(p) for p in sorted((GITHUB / "ISSUE_TEMPLATE").glob(
        "*.yml")) if p.name != "config.yml"]),
    ("vendor.github-issue-config", [str(GITHUB / "ISSUE_TEMPLATE" / "config.yml")]),
])
def test_check_jsonschema_accepts(schema: str, files: list[str]) -> None:
    assert files
    result = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", schema, *files],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# -- hardening -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_hardening(path: Path) -> None:
    workflow = _load(path)
    triggers = workflow["on"]
    assert "pull_request_target" not in triggers and "workflow_run" not in triggers
    assert workflow["permissions"] == {}, "no permission unless a job asks for it"
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\$\{\{[^}]*secrets\.", text), "no secret reaches the workflows"
    for job_name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{job_name}: say which permissions the job needs"
        assert job.get("timeout-minutes"), f"{job_name}: set timeout-minutes"
    for job_name, step in _steps(workflow):
        uses = step.get("uses")
        if uses:
            assert PINNED.match(uses), f"{job_name}: {uses} is not pinned to a commit"
            line = next(line for line in text.splitlines() if uses in line)
            assert re.search(r"# v\d+(\.\d+)*$", line), f"{uses}: name the version it pins"
        if uses and uses.startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False
        assert "${{" not in str(step.get("run", "")), \
            f"{job_name}: pass expressions to run: through env, never inline"


def test_only_the_report_and_deploy_jobs_may_write() -> None:
    writers = {}
    for path in WORKFLOWS:
        for job_name, job in _load(path)["jobs"].items():
            writes = {k: v for k, v in job["permissions"].items() if v == "write"}
            if writes:
                writers[f"{path.name}:{job_name}"] = writes
    assert writers == {
        "pages.yml:deploy": {"pages": "write", "id-token": "write"},
        "scheduled-checks.yml:report": {"issues": "write"},
    }
    report = _load(GITHUB / "workflows" / "scheduled-checks.yml")["jobs"]["report"]
    assert [s["uses"].split("@")[0] for s in report["steps"]] == ["actions/github-script"]


def test_workflows_run_the_documented_commands() -> None:
    pull = (GITHUB / "workflows" / "pull-request.yml").read_text(encoding="utf-8")
    assert 'omh validate --format github --base "$base"' in pull
    assert "fetch-depth: 0" in pull
    assert "omh parity --fetch --format github $MODELS" in pull
    assert "omh build" in pull and "check_site.py pr/site" in pull
    assert "zizmor --offline" in pull and "vendor.github-workflows" in pull
    assert "run: .ci/run" in pull
    scheduled = (GITHUB / "workflows" / "scheduled-checks.yml").read_text(encoding="utf-8")
    assert "omh check-artefacts --fetch --format markdown" in scheduled
    assert "omh parity --fetch" in scheduled
    assert "cron:" in scheduled
    pages = _load(GITHUB / "workflows" / "pages.yml")
    assert pages["on"]["push"]["branches"] == ["main"]
    uses = [s.get("uses", "").split("@")[0] for _, s in _steps(pages)]
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses
    ci = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")
    assert "zizmor --offline .github/workflows" in ci
    assert "check-jsonschema --builtin-schema vendor.github-workflows" in ci


# -- the scripts the workflows run ---------------------------------------------------------


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=root, check=True, capture_output=True)


def test_pr_scope(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                  capsys: pytest.CaptureFixture[str]) -> None:
    pr_scope = _script("pr_scope")
    for name in ("models/a/record.yaml", "models/b/record.yaml", "datasets/d/record.yaml",
                 "README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "base")
    _git(tmp_path, "checkout", "-q", "-b", "change")
    (tmp_path / "models/a/model.onnx").write_text("new\n")
    (tmp_path / "datasets/d/record.yaml").write_text("changed\n")
    (tmp_path / "models/b/record.yaml").unlink()
    (tmp_path / "README.md").write_text("docs\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "change")
    monkeypatch.chdir(tmp_path)
    assert pr_scope.main(["pr_scope.py", "main"]) == 0
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    assert lines["everything"] == "false"
    assert sorted(lines["records"].split()) == ["datasets/d", "models/a", "models/b"]
    assert lines["models"] == "models/a"  # models/b is gone: nothing to run
    assert pr_scope.scope(["schemas/model.schema.json"], tmp_path)["everything"] == "true"
    odd = pr_scope.scope(["models/Bad Name;rm -rf/record.yaml", "models/x.yaml"], tmp_path)
    assert odd == {"everything": "true", "records": "", "models": ""}


def test_scripts_that_import_the_package_run_after_it_is_installed() -> None:
    """pr_scope.py reads the kind folders from the installed ``catalogue`` package."""
    calls = 0
    for path in WORKFLOWS:
        for job in _load(path)["jobs"].values():
            runs = [str(step.get("run", "")) for step in job.get("steps", [])]
            for index, run in enumerate(runs):
                if ".github/scripts/pr_scope.py" in run:
                    calls += 1
                    assert any(re.search(r"pip install .*(-e \.|\./gate)", earlier)
                               for earlier in runs[:index]), path
    assert calls


def test_check_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_site = _script("check_site")
    site = tmp_path / "site"
    (site / "models" / "m").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "assets" / "app.js").write_text("")
    (site / "404.html").write_text("<p>not found</p>")
    (site / "sitemap.xml").write_text("<urlset/>")
    (site / "index.html").write_text(
        '<a href="models/m/">m</a><a href="https://example.org/">out</a><a href="#top">top</a>'
        '<script src="assets/app.js"></script>')
    (site / "models" / "m" / "index.html").write_text(
        '<a href="../../">home</a><a href="../../missing/">gone</a>\n'
        '<script type="application/ld+json">{"@type": "Dataset",}</script>')
    assert check_site.main(["check_site.py", str(site)]) == 1
    out = capsys.readouterr().out
    assert "models/m/index.html:1: link '../../missing/' leads to no file in the site" in out
    assert "models/m/index.html:2: JSON-LD is not valid JSON" in out
    assert "index.html:1: link" not in out.replace("models/m/index.html", "")
    (site / "models" / "m" / "index.html").write_text('<a href="../../">home</a>')
    assert check_site.main(["check_site.py", str(site)]) == 0
