"""Records kept between runs (``record_cache``): a store that takes them from the cache holds the
same documents and findings as one that reads every file, after edits, additions, deletions and
broken files; a file is parsed again when its bytes change; a cache git tracks is never read."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import minimal_records, write_catalogue, write_record

from catalogue.derive.carbon_rollup import carbon_report
from catalogue.load.forked import POOL_MINIMUM
from catalogue.load.record_cache import DELTA_FILE, FOLDER, RECORDS_FILE
from catalogue.load.store import RecordStore
from catalogue.pipeline import load_catalogue


def _age_all(root: Path) -> None:
    """Date every record file back, as an old checkout is (its hash is then remembered)."""
    for path in root.glob("*/*/record.yaml"):
        past = path.stat().st_mtime_ns - 60 * 1_000_000_000
        os.utime(path, ns=(past, past))


def _state(store: RecordStore) -> dict[str, object]:
    return {i: (r.doc.value, r.doc.positions, r.doc.key_positions) if (r := store.get(i))
            else None for i in store.paths} | {f"{i} findings": store.findings(i)
                                               for i in store.paths}


def _run(root: Path) -> tuple[dict[str, object], int]:
    store = RecordStore(root, keep_records=True)
    state = _state(store)
    store.save()
    assert store.record_cache is not None
    return state, store.record_cache.hits


def _fresh(root: Path) -> dict[str, object]:
    return _state(RecordStore(root, use_cache=False))


def test_records_from_the_cache_are_the_records_in_the_files(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    _age_all(root)
    first, hits = _run(root)
    assert hits == 0 and first == _fresh(root)
    again, hits = _run(root)
    assert again == first and hits == len(first) // 2
    assert (root / ".omh-cache" / FOLDER / RECORDS_FILE).is_file()

    model = root / "models/test-model/record.yaml"
    model.write_text(model.read_text(encoding="utf-8").replace("description:", "description: "
                     "Changed.", 1), encoding="utf-8")
    write_record(root, "datasets/added-data", {"kind": "dataset", "name": "Added"})
    (root / "researchers/ada-lovelace/record.yaml").write_text("kind: researcher\n  bad: [\n",
                                                               encoding="utf-8")
    edited, hits = _run(root)
    assert edited == _fresh(root)
    assert hits == len(first) // 2 - 2  # the edited and the broken file were read again
    assert any(f.rule == "yaml-syntax" for f in edited["researchers/ada-lovelace findings"])


def test_a_committed_cache_is_never_read(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    _age_all(root)
    _run(root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-f", ".omh-cache"], check=True)
    state, hits = _run(root)
    assert hits == 0 and state == _fresh(root)


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "hub", minimal_records())
    _age_all(root)
    cache = root / ".omh-cache" / FOLDER / RECORDS_FILE
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"\x80\x05not a pickle")
    state, hits = _run(root)
    assert hits == 0 and state == _fresh(root)
    _, hits = _run(root)
    assert hits > 0  # rewritten whole


def _catalogue_with_card(tmp_path: Path, text: str) -> tuple[Path, Path]:
    """A catalogue whose model's card says ``text``, every file dated back (remembered)."""
    root = write_catalogue(tmp_path / "hub", minimal_records())
    card = root / "models/test-model/README.md"
    card.write_text(text, encoding="utf-8")
    past = card.stat().st_mtime_ns - 60 * 1_000_000_000
    os.utime(card, ns=(past, past))
    _age_all(root)
    return root, card


def test_cards_from_the_cache_are_the_cards_in_the_files(tmp_path: Path) -> None:
    root, card = _catalogue_with_card(tmp_path, "# Test model\n\n## Intended use\n\n"
                                                "Classifying test data.\n")

    hits = []

    def cards() -> dict[str, object]:
        store = RecordStore(root, keep_records=True)
        found = {r.id: r.card for r in store.load_all()}
        store.save()
        assert store.record_cache is not None
        hits.append(store.record_cache.card_hits)
        return found

    fresh = {r.id: r.card for r in RecordStore(root, use_cache=False).load_all()}
    assert cards() == fresh and cards() == fresh
    assert hits[0] == 0 and hits[1] >= 1
    card.write_text("# Test model\n\n## Limitations\n\nNone known.\n", encoding="utf-8")
    changed = cards()
    assert hits[-1] == hits[1] - 1  # the changed card was parsed again
    assert changed == {r.id: r.card for r in RecordStore(root, use_cache=False).load_all()}
    assert [h.text for h in changed["models/test-model"].headings] == ["Test model",
                                                                       "Limitations"]


def test_a_cards_front_matter_is_taken_without_the_rest_of_the_card(tmp_path: Path) -> None:
    """The carbon roll-up reads every model card's front matter and nothing else: a card the
    cache holds gives it without being unpickled whole, equal to the one the card file gives;
    a card changed since, or one without front matter, gives what the file says."""
    root, card = _catalogue_with_card(
        tmp_path, "---\nco2_eq_emissions:\n  emissions: 1200\n---\n# Test model\n")
    store = RecordStore(root, keep_records=True)
    fresh = {r.id: r.card_front_matter for r in store.load_all()}
    store.save()
    assert fresh["models/test-model"] is not None
    assert fresh["models/test-model"].data == {"co2_eq_emissions": {"emissions": 1200}}

    store = RecordStore(root, keep_records=True)
    records = store.load_all()
    assert {r.id: r.card_front_matter for r in records} == fresh
    model = store.get("models/test-model")
    assert model is not None and "card" not in vars(model)  # not unpickled, not read
    assert store.record_cache is not None and store.record_cache.card_hits == 0
    footprint = carbon_report(load_catalogue(root, check=False)[0]).models["models/test-model"]
    stated = footprint.reported  # (what the carbon roll-up read: the front matter alone)
    assert stated is not None and stated.reported is not None
    assert stated.reported.grams == 1200 and stated.line == 2

    card.write_text("# Test model\n\nNo front matter now.\n", encoding="utf-8")
    store = RecordStore(root, keep_records=True)
    model = store.get("models/test-model")
    assert model is not None and model.card_front_matter is None and "card" in vars(model)


def test_a_few_changes_are_kept_beside_the_main_file(tmp_path: Path) -> None:
    records = minimal_records()
    for i in range(100):
        records[f"datasets/extra-{i}"] = {"kind": "dataset", "name": f"Extra {i}"}
    root = write_catalogue(tmp_path / "hub", records)
    _age_all(root)
    _run(root)
    folder = root / ".omh-cache" / FOLDER
    main = (folder / RECORDS_FILE).stat()
    extra = root / "datasets/extra-3/record.yaml"
    extra.write_text(extra.read_text(encoding="utf-8").replace("Extra 3", "Renamed"),
                     encoding="utf-8")
    edited, _ = _run(root)
    assert edited == _fresh(root)
    assert (folder / RECORDS_FILE).stat().st_mtime_ns == main.st_mtime_ns  # not rewritten
    assert (folder / DELTA_FILE).is_file()
    again, hits = _run(root)  # the main file and the change beside it
    assert again == edited and hits == len(again) // 2

    for i in range(10):  # more than a small share: everything in one file again
        extra = root / f"datasets/extra-{i}/record.yaml"
        extra.write_text(extra.read_text(encoding="utf-8") + "version: 2.0.0\n",
                         encoding="utf-8")
    edited, _ = _run(root)
    assert edited == _fresh(root) and not (folder / DELTA_FILE).exists()
    assert _run(root) == (edited, len(edited) // 2)


def _many(tmp_path: Path) -> Path:
    """A catalogue of more records than a run forks workers for, a few of them broken."""
    records = minimal_records()
    for i in range(POOL_MINIMUM + 20):
        records[f"datasets/many-{i}"] = {"kind": "dataset", "name": f"Many {i}"}
    root = write_catalogue(tmp_path / "hub", records)
    (root / "datasets/many-7/record.yaml").write_text("kind: dataset\n  bad: [\n",
                                                      encoding="utf-8")
    (root / "datasets/many-8/record.yaml").write_text("kind: model\nname: 3\n", encoding="utf-8")
    _age_all(root)
    return root


def test_records_read_in_workers_are_those_read_here(tmp_path: Path) -> None:
    """A first run reads and checks the records in worker processes (``load_many``): the same
    documents, positions and findings (file, line and field) as reading them one by one, and
    the cache keeps them for the next run."""
    root = _many(tmp_path)
    store = RecordStore(root, keep_records=True)
    store.load_many(list(store.paths), 2)
    assert store.record_cache is not None and len(store._records) == len(store.paths)
    state = _state(store)
    store.save()
    assert state == _fresh(root)
    broken = state["datasets/many-7 findings"]
    assert isinstance(broken, list) and [(f.rule, f.location.line) for f in broken] == \
        [("yaml-syntax", 2)]
    mismatch = state["datasets/many-8 findings"]
    assert isinstance(mismatch, list) and "kind-mismatch" in {f.rule for f in mismatch}
    again, hits = _run(root)
    assert again == state and hits == len(state) // 2


def test_a_first_run_keeps_its_records_from_a_process_of_its_own(tmp_path: Path) -> None:
    """``load_catalogue(save_meanwhile=True)`` keeps many new records from a forked process,
    which ``settle`` waits for (none is left behind); the next run takes every record from
    what it wrote. A save with little to write is made in this process."""
    root = _many(tmp_path)
    catalogue, _ = load_catalogue(root, check=True, jobs=2, save_meanwhile=True)
    saving = catalogue.store._saving
    assert saving is not None
    catalogue.store.settle()
    assert catalogue.store._saving is None
    with pytest.raises(ChildProcessError):
        os.waitpid(saving._pid, os.WNOHANG)  # ended, and reaped
    again = RecordStore(root, keep_records=True)
    assert _state(again) == _fresh(root)
    assert again.record_cache is not None and again.record_cache.hits == len(again.paths)
    catalogue, _ = load_catalogue(root, check=True, jobs=2, save_meanwhile=True)
    assert catalogue.store._saving is None  # nothing new to keep


def test_a_card_nobody_asked_for_is_kept_and_one_gone_is_dropped(tmp_path: Path) -> None:
    """A card is unpickled only when a record's card is asked for: a run that asks for none
    keeps every card as it was kept, and a run after it finds each (through a few changes kept
    beside the main file, or the main file written again)."""
    records = minimal_records()
    for i in range(100):
        records[f"datasets/extra-{i}"] = {"kind": "dataset", "name": f"Extra {i}"}
    root = write_catalogue(tmp_path / "hub", records)
    for i in range(100):
        (root / f"datasets/extra-{i}/README.md").write_text(f"# Extra {i}\n\n## Uses\n\nNone.\n",
                                                            encoding="utf-8")
    for path in root.glob("*/*/*"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))

    def run(ask: bool) -> tuple[RecordStore, dict[str, object]]:
        store = RecordStore(root, keep_records=True)
        cards = {r.id: r.card for r in store.load_all()} if ask else \
            {r.id: None for r in store.load_all()}
        store.save()
        return store, cards

    _, first = run(ask=True)
    with_cards = {i for i, card in first.items() if card is not None}
    assert len(with_cards) > 100
    store, _ = run(ask=False)
    assert store.record_cache is not None and store.record_cache.card_hits == 0
    store, again = run(ask=True)
    assert again == first
    assert store.record_cache is not None and store.record_cache.card_hits == len(with_cards)

    (root / "datasets/extra-7/README.md").unlink()
    (root / "datasets/extra-8/record.yaml").unlink()
    run(ask=False)
    store, after = run(ask=True)
    assert after == {r.id: r.card for r in RecordStore(root, use_cache=False).load_all()}
    assert store.record_cache is not None
    assert store.record_cache.card_hits == len(with_cards) - 2
    assert (root / ".omh-cache" / FOLDER / DELTA_FILE).is_file()
