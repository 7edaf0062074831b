"""Files the tools write or run: the site folder (replaced whole, never through a symlink, never
a folder the build did not make, never half a site), reports written without following a
symlink, ``mkdocs.yml`` read as data, artefacts listed once, and the CI supply chain (code
owners, hash-pinned installs, the gate from the base branch, a pinned container, zizmor)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import errors_for, minimal_records, write_catalogue
from parity_helpers import sha256
from security_support import tree_state

from catalogue.check.immutability import check_against_base
from catalogue.load.safe_write import SymlinkRefused, write_text_no_follow
from catalogue.load.store import RecordStore
from catalogue.model.yaml_source import parse_yaml
from catalogue.pipeline import load_theme
from omh.commands.check_artefacts import code_cell
from site_generator.build import SiteBuildError, build_site
from site_generator.output_dir import MARKER, is_built_site, spare_dir

REPOSITORY = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPOSITORY / ".github" / "workflows").glob("*.yml"))


def _omh(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from omh.cli import main; raise "
                           "SystemExit(main())", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


# -- 6 and 21: the site folder --------------------------------------------------------------


@pytest.mark.slow
def test_a_folder_the_build_did_not_make_is_never_emptied(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("index.html", "404.html", "sitemap.xml", "notes.txt"):
        (mine / name).write_text("keep me\n")
    before = tree_state(mine)
    with pytest.raises(SiteBuildError, match=f"no {MARKER} file"):
        build_site(root, mine)
    assert tree_state(mine) == before


@pytest.mark.slow
def test_a_symlinked_site_folder_is_refused(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "precious.txt").write_text("keep me\n")
    # A committed symlink named site: .gitignore's site/ does not match it.
    os.symlink(target, root / "site")
    result = _omh("build", "--root", str(root), cwd=root)
    assert result.returncode == 1 and "symlink" in result.stderr
    assert [p.name for p in target.iterdir()] == ["precious.txt"]
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "linked")
    with pytest.raises(SiteBuildError, match="symlink"):
        build_site(root, tmp_path / "linked")
    (root / "out").mkdir()
    os.symlink(target, root / "out" / "deep")
    with pytest.raises(SiteBuildError, match="symlink"):  # behind a link inside the catalogue
        build_site(root, root / "out" / "deep" / "site")
    assert [p.name for p in target.iterdir()] == ["precious.txt"]


@pytest.mark.slow
def test_a_build_replaces_its_own_site_whole_and_touches_nothing_else(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    site = tmp_path / "out" / "site"
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "neighbour.txt").write_text("keep me\n")
    build_site(root, site)
    assert (site / MARKER).is_file() and (site / "index.html").is_file()
    (site / "stale.html").write_text("from an older build\n")
    outside = tree_state(tmp_path, site)
    build_site(root, site)
    assert not (site / "stale.html").exists() and (site / "index.html").is_file()
    # A folder set aside (none, when the build starts from a copy of the site) is removed by a
    # process of its own, soon.
    old = [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".site.omh-old-")]
    deadline = time.monotonic() + 30
    while any(p.exists() for p in old) and time.monotonic() < deadline:
        time.sleep(0.05)
    # The site it replaced is kept as the next build's starting point.
    assert tree_state(tmp_path, site, spare_dir(site)) == outside
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        ".site.omh-spare", "neighbour.txt", "site"]
    assert is_built_site(spare_dir(site))


@pytest.mark.slow
def test_a_killed_build_leaves_the_previous_site_whole(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    site = tmp_path / "site"
    build_site(root, site)
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
              if p.is_file()}
    process = subprocess.Popen(
        [sys.executable, "-c", "from omh.cli import main; raise SystemExit(main())", "build",
         "--root", str(root), "--site-dir", str(site)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(tmp_path)})  # (the work folders a kill leaves)
    staging = f".{site.name}.omh-build-"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if any(p.name.startswith(staging) and any(p.iterdir()) for p in tmp_path.iterdir()):
            break
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):  # unless it was quicker than the loop
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    after = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
             if p.is_file()}
    assert after == before  # killed mid-build (or right after the swap, with the same content)
    build_site(root, site)  # and the next build clears what the killed one left aside
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(staging)]


# -- 7: no write through a symlink ------------------------------------------------------------


def test_reports_are_never_written_through_a_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    folder = tmp_path / "hub" / "models" / "m"
    folder.mkdir(parents=True)
    os.symlink(victim, folder / "parity-report.json")
    with pytest.raises(SymlinkRefused, match="symlink"):
        write_text_no_follow(folder / "parity-report.json", "{}\n", within=tmp_path / "hub")
    os.symlink(tmp_path, tmp_path / "hub" / "models" / "linked")
    with pytest.raises(SymlinkRefused):
        write_text_no_follow(tmp_path / "hub" / "models" / "linked" / "victim.txt", "x",
                             within=tmp_path / "hub")
    assert victim.read_text() == "precious\n"
    write_text_no_follow(folder / "report.json", "{}\n", within=tmp_path / "hub")
    assert (folder / "report.json").read_text() == "{}\n"


def test_parity_write_refuses_a_committed_symlink(tmp_path: Path) -> None:
    from catalogue.check.parity import write_report

    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    root = write_catalogue(tmp_path / "hub", minimal_records())
    os.symlink(victim, root / "models" / "test-model" / "parity-report.json")
    record = RecordStore(root).get("models/test-model")
    assert record is not None
    with pytest.raises(Exception, match="symlink"):
        write_report(record, {"date": "2025-01-01", "passed": True})
    assert victim.read_text() == "precious\n"


# -- 9: an artefact listed twice ------------------------------------------------------------


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=root, check=True, capture_output=True)


def test_listing_a_file_twice_is_an_error_and_hides_no_change(tmp_path: Path) -> None:
    old, new = b"published bytes\n", b"replaced bytes!\n"
    url = "https://files.example/model.bin"

    def entry(data: bytes) -> dict[str, Any]:
        return {"url": url, "sha256": sha256(data), "size_bytes": len(data),
                "media_type": "application/octet-stream", "role": "weights"}

    records = minimal_records()
    records["models/test-model"]["artefacts"] = [entry(old)]
    root = write_catalogue(tmp_path, records)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "base")
    records["models/test-model"]["artefacts"] = [entry(new), entry(old)]
    write_catalogue(root, {"models/test-model": records["models/test-model"]})
    assert "artefact-duplicate" in {f.rule for f in errors_for(root)}
    changed = check_against_base(RecordStore(root), "main")
    assert [f.rule for f in changed] == ["immutable-artefact"]  # the new sha256, listed first


# -- 10: mkdocs.yml is data, and the supply chain -------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("config", [
    "site_name: x\ntheme: !!python/object/apply:os.system ['touch {canary}']\n",
    "site_name: !!python/object/apply:os.system ['touch {canary}']\n",
    "theme:\n  name: material\nhooks:\n  - evil.py\n",
    "theme:\n  name: material\nplugins:\n  - evil\n",
    "theme:\n  name: material\n  custom_dir: overrides\n",
    "INHERIT: other.yml\n",
])
def test_mkdocs_yml_can_run_nothing(tmp_path: Path, config: str) -> None:
    canary = tmp_path / "ran"
    root = write_catalogue(tmp_path / "hub", minimal_records())
    (root / "evil.py").write_text(f"open({str(canary)!r}, 'w').write('ran')\n")
    (root / "other.yml").write_text(
        f"theme: !!python/object/apply:os.system ['touch {canary}']\n")
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text("{{ 7 * 7 }}<script>alert(1)</script>")
    (root / "mkdocs.yml").write_text(config.format(canary=canary))
    theme, findings = load_theme(root)
    assert theme == {} and findings
    result = _omh("validate", "--root", str(root), cwd=root)
    assert result.returncode == 1 and "mkdocs.yml" in result.stdout
    assert _omh("build", "--root", str(root), cwd=root).returncode == 1
    forced = _omh("build", "--force", "--root", str(root), cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert not canary.exists()
    assert "<script>alert(1)" not in (root / "site" / "index.html").read_text()


def test_the_repository_theme_is_accepted() -> None:
    theme, findings = load_theme(REPOSITORY)
    assert findings == [] and theme["name"] == "material" and theme["palette"]


def test_code_owners_guard_what_checks_and_builds() -> None:
    owners = (REPOSITORY / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    rules = dict(line.split(None, 1) for line in owners.splitlines()
                 if line.strip() and not line.startswith("#"))
    for path in ("/.github/", "/schemas/", "/catalogue/", "/site_generator/", "/omh/",
                 "/mkdocs.yml", "/pyproject.toml", "/requirements/"):
        assert rules.get(path, "").startswith("@"), path


def _installs() -> list[tuple[str, str]]:
    found = []
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "pip install" in line:
                found.append((path.name, line.strip()))
    return found


def test_every_workflow_installs_from_the_hashed_lock() -> None:
    installs = _installs()
    assert installs
    for name, line in installs:
        hashed = re.search(r"--require-hashes -r (\S*requirements/(base|test)\.txt)", line)
        assert hashed or "--no-deps" in line, (name, line)
    for lock in ("base.txt", "test.txt"):
        text = (REPOSITORY / "requirements" / lock).read_text(encoding="utf-8")
        pins = re.findall(r"^([A-Za-z0-9_.\-]+)==\S+ \\$", text, re.M)
        assert len(pins) > 20
        blocks = re.split(r"^(?=[A-Za-z0-9_.\-]+==)", text, flags=re.M)[1:]
        assert all("--hash=sha256:" in block for block in blocks), lock


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_lock_holds_every_dependency_of_pyproject() -> None:
    """After changing a dependency, regenerate the lock: requirements/compile.sh."""
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {"base.txt": project["project"]["dependencies"],
              "test.txt": [*project["project"]["dependencies"],
                           *project["project"]["optional-dependencies"]["test"]]}
    for lock, requirements in wanted.items():
        text = (REPOSITORY / "requirements" / lock).read_text(encoding="utf-8").lower()
        pinned = {m.replace("_", "-") for m in re.findall(r"^([a-z0-9_.\-]+)==", text, re.M)}
        missing = {_name(r) for r in requirements} - pinned - {"open-models-hub"}
        assert not missing, f"requirements/{lock} lacks {sorted(missing)}: run " \
                            "requirements/compile.sh"


def test_containers_are_pinned_by_digest() -> None:
    for path in WORKFLOWS:
        for image in re.findall(r"image:\s*(\S+)", path.read_text(encoding="utf-8")):
            assert re.search(r"@sha256:[0-9a-f]{64}$", image), (path.name, image)


def test_the_gate_comes_from_the_base_branch() -> None:
    workflow = parse_yaml((REPOSITORY / ".github" / "workflows" / "pull-request.yml")
                          .read_text(encoding="utf-8")).value
    for job_name in ("records", "parity", "site"):
        steps = workflow["jobs"][job_name]["steps"]
        checkouts = [s.get("with", {}) for s in steps if "actions/checkout" in s.get("uses", "")]
        assert {"path": "gate", "ref": "${{ github.event.pull_request.base.sha }}",
                "persist-credentials": False} in checkouts, job_name
    runs = "\n".join(str(s.get("run", "")) for job in ("records", "parity")
                     for s in workflow["jobs"][job]["steps"])
    assert "pip install --no-deps --no-build-isolation ./gate" in runs
    assert "-r gate/requirements/base.txt" in runs
    assert "../gate/.github/scripts/pr_scope.py" in runs
    site = "\n".join(str(s.get("run", "")) for s in workflow["jobs"]["site"]["steps"])
    assert "python gate/.github/scripts/check_site.py pr/site" in site


def test_zizmor_pedantic_finds_nothing_above_low() -> None:
    zizmor = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    if not Path(zizmor).exists():
        pytest.skip("zizmor is not installed (the test extra installs it)")
    for persona in ("pedantic", "auditor"):
        result = subprocess.run([zizmor, "--offline", "--persona", persona, "--format", "plain",
                                 str(REPOSITORY / ".github" / "workflows")],
                                capture_output=True, text=True, check=False, timeout=120)
        summary = re.search(r"(\d+) medium, (\d+) high", result.stdout)
        assert summary is None or summary.groups() == ("0", "0"), result.stdout
        assert result.returncode in (0, 10, 11), result.stdout + result.stderr


# -- 20: the scheduled report's Markdown ------------------------------------------------------


@pytest.mark.parametrize("text", [
    "https://x.example/a`b`c", "``` fenced", "a|b", "@maintainers please", "<img src=x>",
    "`", "[link](javascript:alert(1))", "line\nbreak",
])
def test_report_cells_are_code_spans_nothing_escapes(text: str) -> None:
    cell = code_cell(text)
    fence = re.match(r"`+", cell)
    assert fence is not None
    inner = cell[len(fence.group(0)):-len(fence.group(0))]
    assert cell.endswith(fence.group(0)) and fence.group(0) not in inner
    assert "\n" not in cell and "|" not in cell.replace("\\|", "")
    assert inner.strip().replace("\\|", "|") == " ".join(text.split())


def test_the_scheduled_parity_output_is_an_indented_block() -> None:
    scheduled = (REPOSITORY / ".github" / "workflows" / "scheduled-checks.yml").read_text()
    assert "sed 's/^/    /' parity.txt" in scheduled and "echo '```'" not in scheduled
