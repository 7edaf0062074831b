"""A rebuild's checks run in a process of their own while the build reads its cache
(``pipeline.load_checking``). They find what they find in the build's own process; their
findings still gate the build before anything of the catalogue is derived or placed, and come
before whatever building the unchecked catalogue raised; what they learn (their findings, the
files' digests, the cards they parse) is kept for the next run; and the carbon figures they
derive next are the build's.

The example has fewer records than the checks are moved for, so the fixture lowers both limits.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_build_cache import _copy_example, _set_line, assert_same_site

from catalogue import pipeline
from catalogue.load import forked
from catalogue.load.file_digests import RACY_NS, stat_key
from catalogue.load.record_cache import DIGESTS_FILE, FOLDER
from catalogue.load.store import RecordStore
from catalogue.model import records
from site_generator import carbon_view
from site_generator.build import CatalogueHasErrors, SiteBuildError, build_site
from site_generator.output_dir import spare_dir
from site_generator.plugin import CataloguePlugin

pytestmark = pytest.mark.slow
MODEL = "models/iris-softmax-classifier"


def _noting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str,
            log: Path) -> None:
    """Wrap ``owner.name`` so that each call writes the id of its process to ``log``."""
    original: Callable[..., Any] = getattr(owner, name)

    def noted(*args: Any, **kwargs: Any) -> Any:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, noted)


def _raising(error: Exception) -> Callable[..., None]:
    def raising(*args: Any, **kwargs: Any) -> None:
        raise error

    return raising


def _pids(log: Path) -> set[str]:
    found = set(log.read_text(encoding="utf-8").split()) if log.exists() else set()
    log.unlink(missing_ok=True)
    return found


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example catalogue, built once into ``tmp_path / "site"`` (its checks' findings are
    kept), with the limits lowered so that its next builds' checks run beside them."""
    monkeypatch.setattr(forked, "POOL_MINIMUM", 1)
    monkeypatch.setattr(pipeline, "UNKNOWN_AT_MOST", 1000)
    catalogue = tmp_path / "catalogue"
    _copy_example(catalogue)
    build_site(catalogue, tmp_path / "site", force=True)
    return catalogue


def _files(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_rebuilds_checks_run_beside_it_and_find_what_they_find_here(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "validate.log"
    _noting(monkeypatch, pipeline, "validate", log)
    _set_line(root / MODEL, "base_model", "models/no-such-model")
    built = build_site(root, tmp_path / "site", force=True)
    assert _pids(log) - {str(os.getpid())}  # in a process of its own
    here, _ = pipeline.validate(root, store=RecordStore(root, use_cache=False))
    assert built.findings == here
    assert [f.rule for f in here] == ["unresolved-reference"]

    monkeypatch.setattr(pipeline, "UNKNOWN_AT_MOST", -1)  # as after a first run
    build_site(root, tmp_path / "site", force=True)
    assert _pids(log) == {str(os.getpid())}


def test_errors_found_beside_stop_the_build_before_anything_is_placed(
        root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(root, site, force=True)  # (a spare site, the one before last, beside it)
    before, spare = _files(site), _files(spare_dir(site))
    _set_line(root / MODEL, "base_model", "models/no-such-model")
    with pytest.raises(CatalogueHasErrors) as refused:
        build_site(root, site)
    assert any(f.rule == "unresolved-reference" for f in refused.value.findings)
    assert _files(site) == before and _files(spare_dir(site)) == spare
    forced = build_site(root, site, force=True)
    assert any(f.rule == "unresolved-reference" for f in forced.findings)


def test_what_the_checks_found_comes_before_what_building_raised(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CataloguePlugin, "_open_cache",
                        _raising(RuntimeError("the build cache could not be read")))
    with pytest.raises(RuntimeError, match="could not be read"):
        build_site(root, tmp_path / "site")
    _set_line(root / MODEL, "base_model", "models/no-such-model")
    with pytest.raises(CatalogueHasErrors):
        build_site(root, tmp_path / "site")


def test_checks_that_fail_stop_the_build_with_what_they_raised(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "validate", _raising(ValueError("a check that cannot run")))
    with pytest.raises(SiteBuildError, match="checks could not be run: ValueError: a check"):
        build_site(root, tmp_path / "site", force=True)


def test_what_the_checks_learn_beside_is_kept_for_the_next_run(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    card = root / MODEL / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "\n\nA sentence to check.\n",
                    encoding="utf-8")
    written = card.stat().st_mtime_ns - 10 * RACY_NS  # (a file just written is not trusted)
    os.utime(card, ns=(written, written))
    log = tmp_path / "read_card.log"
    _noting(monkeypatch, records, "read_card", log)
    built = build_site(root, tmp_path / "site", force=True)
    assert str(os.getpid()) not in _pids(log)  # parsed by the checks only, and handed over
    assert "A sentence to check." in (tmp_path / "site" / MODEL / "index.html").read_text(
        encoding="utf-8")

    catalogue = built.made[0]
    assert isinstance(catalogue, pipeline.Catalogue) and catalogue.store.record_cache
    assert catalogue.store.record_cache.digests.hashed == 0  # hashed beside, not again here
    digests = json.loads((root / ".omh-cache" / FOLDER / DIGESTS_FILE).read_text())["files"]
    assert digests[str(card)][0] == stat_key(card.stat())  # and saved here
    store = RecordStore(root, keep_records=True)
    again, _ = pipeline.validate(root, store=store)
    assert again == built.findings
    memo = store.findings_memo
    assert memo is not None and memo.hits == len(memo)  # kept beside: none checked again


def test_the_carbon_figures_derived_beside_are_the_builds(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild takes the carbon figures the checks' process derived after its checks, and
    its site is a clean build's; if deriving them there raises, the build derives them itself."""
    run = root / "experiments" / "climate-detection-training-run" / "record.yaml"
    text = run.read_text(encoding="utf-8")
    assert "duration_seconds: 14400\n" in text
    run.write_text(text.replace("duration_seconds: 14400\n", "duration_seconds: 43200\n"),
                   encoding="utf-8")
    log = tmp_path / "carbon.log"
    _noting(monkeypatch, pipeline, "carbon_report", log)
    _noting(monkeypatch, carbon_view, "carbon_report", log)
    build_site(root, tmp_path / "site", force=True)
    derived = _pids(log)
    assert derived and str(os.getpid()) not in derived
    build_site(root, tmp_path / "clean", force=True, cache=False)
    assert_same_site(tmp_path / "site", tmp_path / "clean")

    here = os.getpid()
    derive = pipeline.carbon_report

    derived_here = []

    def failing_beside(catalogue: pipeline.Catalogue) -> Any:
        if os.getpid() != here:
            raise ValueError("a figure that cannot be derived there")
        derived_here.append(catalogue)
        return derive(catalogue)

    monkeypatch.setattr(pipeline, "carbon_report", failing_beside)
    run.write_text(text, encoding="utf-8")
    build_site(root, tmp_path / "site", force=True)
    assert len(derived_here) == 1
    build_site(root, tmp_path / "clean", force=True, cache=False)
    assert_same_site(tmp_path / "site", tmp_path / "clean")
