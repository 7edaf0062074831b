"""``omh validate`` on one file, as the pre-commit hook runs it, with the caches of earlier runs
(the ids each record file mentions, the verdicts on licence expressions, the cards parsed
before): it reports exactly what it reports without them after records are added, deleted,
renamed or edited since the caches were written; a cache is never trusted blindly; and the hook
loads no library it does not need."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MODEL_CARD, minimal_records, write_catalogue, write_record

from catalogue.load.licence_verdicts import VERDICTS_FILE, LicenceVerdicts
from catalogue.load.loaded_records import LoadedRecords
from catalogue.load.settings_verdict import VERDICT_FILE, SettingsVerdict
from catalogue.load.store import RecordStore
from catalogue.model.card import Card, read_card
from catalogue.model.licenses import check_spdx_expression
from omh.cli import main

CACHE = ".omh-cache"
MODEL = "models/test-model/record.yaml"
DATASET = "datasets/test-data/record.yaml"


def _age_all(root: Path) -> None:
    """Date every file back, as an old checkout is (cache entries are then trusted on their
    times alone)."""
    for path in root.glob("*/*/*"):
        if path.is_file() and not path.is_symlink():
            past = path.stat().st_mtime_ns - 60 * 1_000_000_000
            os.utime(path, ns=(past, past))


def _hook(root: Path, *paths: str) -> tuple[int, str, str]:
    """Exit status, output and errors of ``omh validate PATHS`` run in ``root``."""
    out, err = io.StringIO(), io.StringIO()
    cwd = Path.cwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["validate", *paths])
    finally:
        os.chdir(cwd)
    return status, out.getvalue(), err.getvalue()


def _keep_times(path: Path, edit: Callable[[str], str]) -> None:
    """Edit a file in place keeping its size and modification time (which a cache keyed on
    them alone would miss)."""
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = edit(text)
    assert len(edited.encode()) == len(text.encode()) and edited != text
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _broken_run(record_id: str) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        run = minimal_records()["experiments/test-run"]
        run["experiment_status"] = "finishd"  # a finding, so that the run shows in the report
        write_record(root, record_id, run)
    return write


def _dangling_dataset(root: Path) -> None:
    model = minimal_records()["models/test-model"]
    model["training_datasets"] = ["datasets/new-data"]
    write_record(root, "models/test-model", model, card=None)


def _add_new_data(root: Path) -> None:
    write_record(root, "datasets/new-data", minimal_records()["datasets/test-data"])


def _other_dataset(text: str) -> str:
    return text.replace("dataset: datasets/test-data", "dataset: datasets/test-datX")


def _this_dataset(text: str) -> str:
    return text.replace("dataset: datasets/test-datX", "dataset: datasets/test-data")


def _lose_a_section(text: str) -> str:
    return text.replace("## Limitations", "## Limitatioxx")


def _licence(expression: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        model = minimal_records()["models/test-model"]
        model["license"] = expression
        write_record(root, "models/test-model", model, card=None)
    return edit


def _card_outside(root: Path) -> None:
    outside = root.parent / "elsewhere.md"
    outside.write_text(MODEL_CARD, encoding="utf-8")
    card = root / "models/test-model/README.md"
    card.unlink()
    card.symlink_to(outside)


def _settings(text: str) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        (root / "catalogue.yaml").write_text(text, encoding="utf-8")
    return write


def _edit_settings(old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        _keep_times(root / "catalogue.yaml", lambda text: text.replace(old, new))
    return edit


CHANGES: dict[str, tuple[str, Callable[[Path], None] | None, Callable[[Path], None], str]] = {
    # name: (the file the hook names, prepared before the caches are written, the change,
    #        what the report must then say)
    "referrer added": (DATASET, None, _broken_run("experiments/new-run"),
                       "experiments/new-run/record.yaml"),
    "referrer deleted": (DATASET, None,
                         lambda root: shutil.rmtree(root / "experiments/test-run"),
                         "2 record(s) checked"),
    "referrer renamed": (DATASET, _broken_run("experiments/test-run"),
                         lambda root: (root / "experiments/test-run").rename(
                             root / "experiments/renamed-run"),
                         "experiments/renamed-run/record.yaml"),
    "named record renamed": (MODEL, None, lambda root: (root / "models/test-model").rename(
        root / "models/renamed-model"), "no model 'models/test-model'"),
    "referenced record deleted": (MODEL, None,
                                  lambda root: shutil.rmtree(root / "datasets/test-data"),
                                  "no dataset 'datasets/test-data'"),
    "referenced record added": (MODEL, _dangling_dataset, _add_new_data, "1 error(s)"),
    "referrer edited away, same size and time": (
        DATASET, None, lambda root: _keep_times(root / "experiments/test-run/record.yaml",
                                                _other_dataset), "2 record(s) checked"),
    "referrer made by an edit, same size and time": (
        DATASET, lambda root: _keep_times(root / "experiments/test-run/record.yaml",
                                          _other_dataset),
        lambda root: _keep_times(root / "experiments/test-run/record.yaml", _this_dataset),
        "3 record(s) checked"),
    "card edited, same size and time": (
        MODEL, None, lambda root: _keep_times(root / "models/test-model/README.md",
                                              _lose_a_section), "Limitations"),
    "card made a symlink": (MODEL, None, _card_outside, "outside the record's folder"),
    "licence made invalid": (MODEL, None, _licence("MIT-X"), "'MIT-X'"),
    "licence made valid": (MODEL, _licence("MIT-X"), _licence("Apache-2.0"), "0 error(s)"),
    "settings made invalid, same size and time": (
        "catalogue.yaml", _settings("title: Hub\nlanguage: en\n"),
        _edit_settings("language:", "languagX:"), "catalogue.yaml:"),
    "settings changed, same size and time": (
        MODEL, _settings("title: Hub\nquality:\n  minimum_score: 10\n"),
        _edit_settings("minimum_score: 10", "minimum_score: 99"), "quality score"),
}


def _before_warm_cold(root: Path, change: str, kept: Path,
                      *paths: str) -> tuple[tuple[int, str, str], ...]:
    """What ``omh validate PATHS`` says before ``change``, then after it with the caches the
    runs before wrote (``kept`` among them), then after it without them."""
    _, prepare, mutate, _ = CHANGES[change]
    write_catalogue(root, dict(minimal_records()))
    if prepare is not None:
        prepare(root)
    _age_all(root)
    before = _hook(root, *paths)
    assert _hook(root, *paths) == before  # the caches are written, and change nothing
    assert (root / CACHE / kept).is_file()
    mutate(root)
    warm = _hook(root, *paths)
    shutil.rmtree(root / CACHE)
    return before, warm, _hook(root, *paths)


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_warm_cache_never_hides_a_change(tmp_path: Path, change: str) -> None:
    named, _, _, expected = CHANGES[change]
    before, warm, cold = _before_warm_cold(tmp_path / "hub", change,
                                           Path("validate", "mentions.json"), named)
    assert warm == cold
    assert warm != before and expected in warm[1] + warm[2]


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_warm_cache_never_hides_a_change_from_a_whole_run(tmp_path: Path, change: str) -> None:
    """``omh validate`` with no paths keeps every record as loaded (the build's record cache)
    and the findings of each record's own folder."""
    before, warm, cold = _before_warm_cold(tmp_path / "hub", change,
                                           Path("load", "findings.pickle"))
    assert warm == cold
    # The quality minimum gates only new or changed records: those a run names.
    assert (warm == before) == (change == "settings changed, same size and time")


def test_the_caches_are_used(tmp_path: Path) -> None:
    """A second run reads no record file for its mentions, and parses and checks no record or
    card again."""
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    _age_all(root)
    _hook(root, MODEL)
    store = RecordStore(root, keep_each=True)
    store.referrers(["models/test-model"])
    assert store.mention_index.read_files == 0
    model = store.get("models/test-model")
    assert model is not None and store.findings("models/test-model") == []
    each = store.loaded_records
    assert each is not None and each.hits == 2  # the model and the run that refers to it
    assert "card" in model.__dict__  # taken from the cache, not parsed
    assert model.card == read_card(model.card_path, model.folder)


def test_a_settings_verdict_holds_for_that_very_file(tmp_path: Path) -> None:
    """A verdict for the same bytes but another file (another inode: as a committed verdict
    would be) does not count."""
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    settings = root / "catalogue.yaml"
    settings.write_text("title: Hub\n", encoding="utf-8")
    _age_all(root)
    _hook(root, MODEL)
    verdict = SettingsVerdict.read(root, settings)
    assert verdict is not None and verdict.known_valid({"title": "Hub"})
    file = root / CACHE / VERDICT_FILE
    document = json.loads(file.read_text(encoding="utf-8"))
    document["file"][3] += 1
    file.write_text(json.dumps(document), encoding="utf-8")
    verdict = SettingsVerdict.read(root, settings)
    assert verdict is not None and not verdict.known_valid({"title": "Hub"})


# -- licence verdicts --------------------------------------------------------------------------


@pytest.mark.parametrize("expression", ["MIT", "Apache-2.0 OR MIT", "mit", "MIT-X",
                                        "LicenseRef-Mine", "GPL-2.0-only WITH", ""])
def test_a_remembered_verdict_is_the_verdict(tmp_path: Path, expression: str) -> None:
    first = LicenceVerdicts(tmp_path)
    assert first.problem(expression) == check_spdx_expression(expression)
    again = LicenceVerdicts(tmp_path)
    assert again.problem(expression) == check_spdx_expression(expression)
    assert (first.checked, again.checked) == (1, 0)


@pytest.mark.parametrize("document", [
    "not json", "[]", '{"format": 1, "checker": "another", "verdicts": {"MIT": "lies"}}',
    '{"format": 99, "verdicts": {"MIT": "lies"}}',
])
def test_verdicts_of_another_checker_or_malformed_are_ignored(tmp_path: Path,
                                                             document: str) -> None:
    (tmp_path / VERDICTS_FILE).parent.mkdir(parents=True)
    (tmp_path / VERDICTS_FILE).write_text(document, encoding="utf-8")
    verdicts = LicenceVerdicts(tmp_path)
    assert verdicts.problem("MIT") is None and verdicts.checked == 1


def test_a_malformed_verdict_is_checked_again(tmp_path: Path) -> None:
    LicenceVerdicts(tmp_path).problem("MIT")
    file = tmp_path / VERDICTS_FILE
    document = json.loads(file.read_text(encoding="utf-8"))
    document["verdicts"]["MIT"] = 42
    file.write_text(json.dumps(document), encoding="utf-8")
    verdicts = LicenceVerdicts(tmp_path)
    assert verdicts.problem("MIT") is None and verdicts.checked == 1


def test_verdicts_are_not_read_or_written_through_a_symlink(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    LicenceVerdicts(elsewhere).problem("MIT")
    written = (elsewhere / VERDICTS_FILE).read_text(encoding="utf-8")
    root = tmp_path / "hub"
    root.mkdir()
    (root / CACHE).symlink_to(elsewhere, target_is_directory=True)
    verdicts = LicenceVerdicts(root / CACHE, root)
    assert verdicts.problem("Apache-2.0") is None and verdicts.problem("MIT") is None
    assert verdicts.checked == 2
    assert (elsewhere / VERDICTS_FILE).read_text(encoding="utf-8") == written


# -- cards -------------------------------------------------------------------------------------


def _each(root: Path, version: str = "test") -> LoadedRecords:
    return LoadedRecords(root / CACHE, root, version)


def _kept(root: Path) -> tuple[Path, Card]:
    """The model's card, parsed and kept as a run of the hook keeps it."""
    card_path = root / "models/test-model/README.md"
    each = _each(root)
    assert each.card("models/test-model", card_path) is None
    card = read_card(card_path)
    assert card is not None
    each.put_card("models/test-model", card)
    each.save()
    return card_path, card


def test_a_card_from_the_cache_is_the_card_in_the_file(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    card_path, card = _kept(root)
    each = _each(root)
    assert each.card("models/test-model", card_path) == card and each.card_hits == 1
    assert _each(root, "another").card("models/test-model", card_path) is None
    card_path.write_text(MODEL_CARD.replace("# Test Model", "# Test Modex"), encoding="utf-8")
    assert _each(root).card("models/test-model", card_path) is None


def test_a_card_that_changed_before_it_was_parsed_is_not_kept(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    card_path = root / "models/test-model/README.md"
    each = _each(root)
    assert each.card("models/test-model", card_path) is None
    card_path.write_text(MODEL_CARD + "\nMore.\n", encoding="utf-8")
    changed = read_card(card_path)
    assert changed is not None
    each.put_card("models/test-model", changed)
    each.save()
    card_path.write_text(MODEL_CARD, encoding="utf-8")
    assert _each(root).card("models/test-model", card_path) is None


def test_a_symlinked_card_is_never_taken_from_the_cache(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    card_path, _ = _kept(root)
    target = root / "models/test-model/card.md"
    card_path.rename(target)
    card_path.symlink_to(target.name)
    assert _each(root).card("models/test-model", card_path) is None


def test_a_record_from_the_cache_is_the_record_in_the_file(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    write_record(root, "models/broken-model", "kind: model\nname: [unclosed\n")
    fresh = RecordStore(root, use_cache=False)
    for _ in range(2):
        store = RecordStore(root, keep_each=True)
        for record_id in store.paths:
            kept, read = store.get(record_id), fresh.get(record_id)
            assert (kept.doc if kept else None) == (read.doc if read else None)
            assert store.findings(record_id) == fresh.findings(record_id)
        store.save()
    each = store.loaded_records
    assert each is not None and each.hits == len(store.paths)


def test_a_corrupt_entry_is_ignored(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    card_path, _ = _kept(root)
    entries = list((root / CACHE).rglob("*.pickle"))
    assert len(entries) == 1
    entries[0].write_bytes(b"\x80\x05not a pickle")
    assert _each(root).card("models/test-model", card_path) is None


def test_a_committed_cache_is_never_read(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    card_path, _ = _kept(root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-f", CACHE], check=True)
    assert _each(root).card("models/test-model", card_path) is None


# -- what the hook imports ---------------------------------------------------------------------

HEAVY = ("onnx", "onnxruntime", "numpy", "mkdocs", "pyld", "huggingface_hub", "mlflow",
         "site_generator", "jinja2", "safetensors", "multiprocessing")
UNCHANGED = ("jsonschema", "license_expression", "markdown.extensions.tables")
"""Not needed either when nothing changed since the last run: the schema and licence checks
(their verdicts are kept) and Python-Markdown's parser (the cards are kept parsed)."""
_PROBE = """
import json, sys
from omh.cli import main
status = main(["validate", sys.argv[1]])
print(json.dumps([status, [name for name in sys.argv[2:] if name in sys.modules]]))
"""


def _probe(root: Path, *modules: str) -> tuple[int, list[str]]:
    """The exit status of the hook on the model, and which of ``modules`` it loaded."""
    run = subprocess.run([sys.executable, "-c", _PROBE, MODEL, *modules], cwd=root,
                         capture_output=True, text=True, check=True)
    status, loaded = json.loads(run.stdout.strip().splitlines()[-1])
    return status, loaded


def test_the_hook_loads_no_heavy_library(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    (root / "catalogue.yaml").write_text("title: Hub\n", encoding="utf-8")
    _age_all(root)
    status, loaded = _probe(root, *HEAVY)
    assert status == 0 and loaded == []
    assert _probe(root, *HEAVY, *UNCHANGED) == (0, [])


def test_a_whole_run_forgets_what_the_hook_kept_of_records_gone(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", dict(minimal_records()))
    _hook(root, MODEL)  # keeps the model and the run that refers to it, one file each
    folder = root / CACHE / "validate" / "records"

    def kept() -> set[str]:
        return {path.name for path in folder.iterdir()}

    def name(record_id: str) -> str:
        return f"{hashlib.sha256(record_id.encode()).hexdigest()[:32]}.pickle"

    assert {name("models/test-model"), name("experiments/test-run")} <= kept()
    before = kept()
    shutil.rmtree(root / "experiments/test-run")
    _hook(root)
    assert kept() == before - {name("experiments/test-run")}
