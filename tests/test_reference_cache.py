"""The cache of the ids each record file mentions: ``RecordStore.referrers`` with it finds what a
cold scan (no cache) finds, after edits, deletions, additions and renames, and a stale or corrupt
cache is never trusted."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml
from conftest import minimal_records, write_catalogue, write_record

from catalogue.load import reference_cache
from catalogue.load.reference_cache import FORMAT, INDEX_FILE, RACY_NS
from catalogue.load.store import RecordStore
from catalogue.model.kinds import KINDS_BY_FOLDER

TARGETS = ("organizations/test-institute", "organizations/other-lab", "datasets/test-data",
           "researchers/ada-lovelace", "models/test-model", "models/renamed-model")


def _cached(root: Path) -> tuple[dict[str, set[str]], int]:
    """Referrers of each target with the cache, and how many record files had to be read."""
    store = RecordStore(root)
    store.referrers(TARGETS)
    read = store.mention_index.read_files
    return {t: store.referrers([t]) for t in TARGETS}, read


def _cold(root: Path) -> dict[str, set[str]]:
    store = RecordStore(root, use_cache=False)
    return {t: store.referrers([t]) for t in TARGETS}


def _age(path: Path, seconds: int = 60) -> None:
    """Date the file back, as an old checkout is: its entry is then trusted on times alone."""
    past = path.stat().st_mtime_ns - seconds * 1_000_000_000
    os.utime(path, ns=(past, past))


def _age_all(root: Path) -> None:
    for path in root.glob("*/*/record.yaml"):
        _age(path)


def test_referrers_match_a_cold_scan_through_edits(catalogue: Path) -> None:
    _age_all(catalogue)
    first, read = _cached(catalogue)
    assert first == _cold(catalogue)
    assert first["organizations/test-institute"] >= {"models/test-model", "datasets/test-data"}
    assert (catalogue / ".omh-cache" / INDEX_FILE).is_file()
    assert _cached(catalogue)[1] == 0  # nothing changed: no record file read again

    # change a reference, keeping the file's size and mtime
    model = catalogue / "models/test-model/record.yaml"
    text = model.read_text(encoding="utf-8")
    stat = model.stat()
    edited = text.replace("organizations/test-institute", "organizations/test-instituXe")
    assert len(edited) == len(text)
    model.write_text(edited, encoding="utf-8")
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    found, read = _cached(catalogue)
    assert found == _cold(catalogue)
    assert "models/test-model" not in found["organizations/test-institute"]
    assert read == 1

    # add a record referring to another organisation, which is added too
    records = minimal_records()
    write_record(catalogue, "organizations/other-lab", records["organizations/test-institute"])
    lab_member = dict(records["researchers/ada-lovelace"],
                      affiliations=["organizations/other-lab"])
    write_record(catalogue, "researchers/grace-hopper", lab_member)
    found, _ = _cached(catalogue)
    assert found == _cold(catalogue)
    assert found["organizations/other-lab"] == {"researchers/grace-hopper"}

    # delete a record
    shutil.rmtree(catalogue / "researchers/grace-hopper")
    found, _ = _cached(catalogue)
    assert found == _cold(catalogue)
    assert found["organizations/other-lab"] == set()

    # rename a record and the reference to it
    (catalogue / "models/test-model").rename(catalogue / "models/renamed-model")
    experiment = catalogue / "experiments/test-run/record.yaml"
    run = yaml.safe_load(experiment.read_text(encoding="utf-8"))
    run["produced_models"] = ["models/renamed-model"]
    experiment.write_text(yaml.safe_dump(run, sort_keys=False), encoding="utf-8")
    found, _ = _cached(catalogue)
    assert found == _cold(catalogue)
    assert found["models/renamed-model"] == {"experiments/test-run"}
    assert found["models/test-model"] == set()


def test_a_file_edited_in_the_same_clock_tick_is_hashed_again(catalogue: Path) -> None:
    """A file read less than RACY_NS after it was modified could change again without its
    times changing: its entry carries a hash, checked before it is trusted."""
    _age_all(catalogue)
    model = catalogue / "models/test-model/record.yaml"
    os.utime(model, ns=(model.stat().st_atime_ns, model.stat().st_mtime_ns + 61 * 10**9))
    assert model.stat().st_mtime_ns + RACY_NS > time.time_ns()
    _cached(catalogue)
    index = json.loads((catalogue / ".omh-cache" / INDEX_FILE).read_text(encoding="utf-8"))
    assert index["files"]["models/test-model"][1] is not None
    # simulate an edit the times cannot show: the stored key is made to match the new state
    text = model.read_text(encoding="utf-8")
    model.write_text(text.replace("organizations/test-institute", "organizations/test-instituXe"),
                     encoding="utf-8")
    stat = model.stat()
    index["files"]["models/test-model"][0] = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns,
                                              stat.st_ino]
    (catalogue / ".omh-cache" / INDEX_FILE).write_text(json.dumps(index), encoding="utf-8")
    found, read = _cached(catalogue)
    assert found == _cold(catalogue)
    assert "models/test-model" not in found["organizations/test-institute"]
    assert read == 1


_OLD_FORMAT = json.dumps({"format": 1, "folders": sorted(KINDS_BY_FOLDER),
                          "files": {"models/test-model": [[0, 0, 0, 0], None, []]}})
"""An index of the previous format, in which mentions were a list."""


@pytest.mark.parametrize("corrupt", [
    "not json {", "[]", '{"format": 999, "files": {}}',
    '{"format": 2, "folders": ["models"], "files": {}}', _OLD_FORMAT,
])
def test_a_corrupt_cache_is_ignored(catalogue: Path, corrupt: str) -> None:
    _age_all(catalogue)
    cold = _cold(catalogue)
    index = catalogue / ".omh-cache" / INDEX_FILE
    index.parent.mkdir(parents=True)
    index.write_text(corrupt, encoding="utf-8")
    found, _ = _cached(catalogue)
    assert found == cold
    assert json.loads(index.read_text(encoding="utf-8"))["format"] == FORMAT  # rewritten whole


def test_a_malformed_or_lying_entry_is_read_again(catalogue: Path) -> None:
    _age_all(catalogue)
    cold = _cold(catalogue)
    _cached(catalogue)
    index_file = catalogue / ".omh-cache" / INDEX_FILE
    index = json.loads(index_file.read_text(encoding="utf-8"))
    index["files"]["models/test-model"] = "garbage"
    index["files"]["datasets/test-data"][2] = ""  # key matches, mentions wrong, hash absent
    index["files"]["datasets/test-data"][0][0] += 1  # ...but the size no longer matches
    index_file.write_text(json.dumps(index), encoding="utf-8")
    found, read = _cached(catalogue)
    assert found == cold
    assert read == 2


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    (root / ".omh-cache").write_text("a file where the cache folder goes", encoding="utf-8")
    found, _ = _cached(root)
    assert found == _cold(root)
    assert found["datasets/test-data"] == {"models/test-model", "experiments/test-run"}


def test_a_symlinked_cache_folder_is_neither_read_nor_written(tmp_path: Path) -> None:
    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "validate").mkdir(parents=True)
    (elsewhere / INDEX_FILE).write_text('{"format": 1, "files": {}}', encoding="utf-8")
    (root / ".omh-cache").symlink_to(elsewhere, target_is_directory=True)
    found, read = _cached(root)
    assert found == _cold(root)
    assert read == len(minimal_records())
    assert (elsewhere / INDEX_FILE).read_text(encoding="utf-8") == '{"format": 1, "files": {}}'


def test_a_few_changed_files_are_read_again_until_the_index_is_rewritten(
        catalogue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the index of a large catalogue costs more than reading a few files again: it is
    rewritten once a share of its entries changed, and the results never wait for it."""
    _age_all(catalogue)
    _cached(catalogue)
    monkeypatch.setattr(reference_cache, "REWRITE_SHARE", 2)  # 6 files: rewritten at 3 changes
    index = catalogue / ".omh-cache" / INDEX_FILE
    written = index.read_bytes()

    def edit(record_id: str, old: str, new: str) -> None:
        path = catalogue / record_id / "record.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    edit("experiments/test-run", "dataset: datasets/test-data", "dataset: datasets/other-data")
    for _ in range(2):
        found, read = _cached(catalogue)
        assert found == _cold(catalogue) and read == 1 and index.read_bytes() == written
    assert "experiments/test-run" not in found["datasets/test-data"]
    edit("models/test-model", "- datasets/test-data", "- datasets/other-data")
    edit("researchers/ada-lovelace", "organizations/test-institute", "organizations/other-lab")
    found, read = _cached(catalogue)
    assert found == _cold(catalogue) and read == 3 and index.read_bytes() != written
    assert _cached(catalogue)[1] == 0
