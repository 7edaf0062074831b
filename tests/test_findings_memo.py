"""A run over the whole catalogue keeps the findings of each record's own-folder checks by the
digest of its folder: a record whose folder is unchanged is not checked again, and a change to
any file in the folder (not only ``record.yaml``) is checked as in a run without the memo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ran_only_in_workers, run_in_workers

from catalogue.check import registry
from catalogue.check.registry import _only_own_files
from catalogue.load.findings_memo import FINDINGS_FILE, FOLDER
from catalogue.load.store import RecordStore
from catalogue.model.card import read_card
from catalogue.model.findings import Finding
from catalogue.model.kinds import KINDS, SETTINGS_FILE
from catalogue.pipeline import validate

REPOSITORY = Path(__file__).resolve().parents[1]
MODEL = "models/iris-softmax-classifier"
MEMO = Path(".omh-cache") / FOLDER / FINDINGS_FILE


def _example(root: Path) -> Path:
    for kind in KINDS.values():
        shutil.copytree(REPOSITORY / kind.folder, root / kind.folder)
    shutil.copy(REPOSITORY / SETTINGS_FILE, root / SETTINGS_FILE)
    return root


def _whole_run(root: Path) -> tuple[list[Finding], RecordStore]:
    store = RecordStore(root, keep_records=True)
    findings, _ = validate(root, store=store)
    store.save()
    return findings, store


def _cold_run(root: Path) -> list[Finding]:
    shutil.rmtree(root / ".omh-cache")
    return _whole_run(root)[0]


def test_an_unchanged_folder_is_not_checked_again(tmp_path: Path) -> None:
    root = _example(tmp_path / "hub")
    first, store = _whole_run(root)
    assert store.findings_memo is not None and store.findings_memo.hits == 0
    assert (root / MEMO).is_file()
    again, store = _whole_run(root)
    assert again == first
    memo = store.findings_memo
    assert memo is not None
    local = [r for r in store.loaded() if _only_own_files(r)]
    # Records pointing at URLs are checked every time (the artefact cache may change).
    assert 0 < memo.hits == len(local) < len(store.loaded())


def test_a_change_to_any_file_of_the_folder_is_checked(tmp_path: Path) -> None:
    root = _example(tmp_path / "hub")
    _whole_run(root)
    script = root / MODEL / "inference.py"  # a file the model ships, which the record points at
    script.write_text(script.read_text(encoding="utf-8") + "\nTOKEN = 'hf_"
                      + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z" + "'\n", encoding="utf-8")
    warm, store = _whole_run(root)
    assert any(f.rule == "credentials" and f.record_id == MODEL for f in warm)
    local = [r.id for r in store.loaded() if _only_own_files(r)]
    assert MODEL in local
    assert store.findings_memo is not None and store.findings_memo.hits == len(local) - 1
    assert warm == _cold_run(root)


def test_a_damaged_memo_is_checked_again(tmp_path: Path) -> None:
    root = _example(tmp_path / "hub")
    first, _ = _whole_run(root)
    for damage in (b"", b"not a pickle", (root / MEMO).read_bytes()[:100]):
        (root / MEMO).write_bytes(damage)
        again, store = _whole_run(root)
        assert again == first
        assert store.findings_memo is not None and store.findings_memo.hits == 0


def test_records_checked_in_workers_give_the_findings_and_cards_of_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked in two forked workers, every record has the findings one process finds, and
    the card a worker parsed is the record's: the build's pages and the record cache use it,
    not a second parse here."""
    root = _example(tmp_path / "hub")
    script = root / MODEL / "inference.py"  # something to find
    script.write_text(script.read_text(encoding="utf-8") + "\nTOKEN = 'hf_"
                      + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z" + "'\n", encoding="utf-8")
    where = tmp_path / "checked-in"
    run_in_workers(monkeypatch, registry, "folder_checks", where)
    here, _ = validate(root, store=RecordStore(root, keep_records=False), jobs=1)
    where.write_text("")
    store = RecordStore(root, keep_records=False)
    there, _ = validate(root, store=store, jobs=2)
    assert there == here
    assert any(f.rule == "credentials" and f.record_id == MODEL for f in here)
    assert ran_only_in_workers(where)
    cards = {r.id: vars(r).get("card") for r in store.loaded()}
    assert sum(card is not None for card in cards.values()) > 10
    assert all(cards[r.id] == read_card(r.card_path, r.folder) for r in store.loaded())


def test_a_record_that_comes_to_point_at_a_url_is_checked_every_time(tmp_path: Path) -> None:
    """The memo is looked up before the record's artefacts are: what it keeps is of records
    whose artefacts were all files of their folder, and an edit that points one at a URL
    changes the folder's record file, so the record is checked again, then every time."""
    root = _example(tmp_path / "hub")
    _whole_run(root)
    record = root / MODEL / "record.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("  - path: labels.json\n",
                                   "  - url: https://data.example.org/iris/labels.json\n", 1),
                      encoding="utf-8")
    for _ in range(2):
        warm, store = _whole_run(root)
        local = [r.id for r in store.loaded() if _only_own_files(r)]
        assert MODEL not in local
        assert store.findings_memo is not None and store.findings_memo.hits == len(local)
        assert warm == _cold_run(root)
