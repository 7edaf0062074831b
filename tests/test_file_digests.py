"""A folder's digest (``file_digests.FileDigests.folder``): what tells a build that a record's
folder changed. It covers every file under the folder, nested ones included, by name and
bytes, and a symlink by where it points, never by what it points to."""

from __future__ import annotations

import json
import os
from pathlib import Path

from catalogue.load.file_digests import FileDigests


def _digest(folder: Path) -> str:
    return FileDigests(None).folder(folder)


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "models" / "m"
    (folder / "samples" / "deep").mkdir(parents=True)
    (folder / "record.yaml").write_text("id: models/m\n")
    (folder / "samples" / "deep" / "input.json").write_text("[1, 2]")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "big.bin").write_bytes(b"0" * 10)
    os.symlink(outside, folder / "linked-folder")
    os.symlink("record.yaml", folder / "linked-file")
    return folder, outside


def test_a_change_anywhere_under_the_folder_changes_its_digest(tmp_path: Path) -> None:
    folder, _ = _folder(tmp_path)
    before = _digest(folder)
    assert _digest(folder) == before
    (folder / "samples" / "deep" / "input.json").write_text("[1, 3]")
    assert _digest(folder) != before
    changed = _digest(folder)
    (folder / "samples" / "deep" / "input.json").rename(folder / "samples" / "input.json")
    assert _digest(folder) != changed
    moved = _digest(folder)
    (folder / "samples" / "empty").mkdir()
    assert _digest(folder) == moved  # a folder holds nothing a page could show


def test_a_symlink_counts_by_where_it_points_never_by_what_it_holds(tmp_path: Path) -> None:
    folder, outside = _folder(tmp_path)
    before = _digest(folder)
    (outside / "big.bin").write_bytes(b"1" * 10)  # not followed
    (outside / "more.bin").write_bytes(b"2")
    assert _digest(folder) == before
    (folder / "linked-folder").unlink()
    os.symlink(tmp_path, folder / "linked-folder")
    assert _digest(folder) != before


def _age(path: Path) -> None:
    """Set the file's times well before now (a file changed this very moment is hashed again
    on every look: ``RACY_NS``)."""
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))


def test_the_memo_keeps_files_not_looked_at_while_they_exist(tmp_path: Path) -> None:
    memo = tmp_path / "cache" / "digests.json"
    first, second = tmp_path / "a" / "m", tmp_path / "b" / "m"
    for folder in (first, second):
        folder.mkdir(parents=True)
        (folder / "record.yaml").write_text(f"id: {folder}\n")
        _age(folder / "record.yaml")
    whole = FileDigests(memo)
    digests = (whole.folder(first), whole.folder(second))
    whole.save()
    assert whole.hashed == 2
    # A run that looks at one folder (omh validate on one file) keeps the other's files.
    (first / "extra.txt").write_text("x")
    _age(first / "extra.txt")
    one = FileDigests(memo)
    one.folder(first)
    one.save()
    assert one.hashed == 1
    again = FileDigests(memo)
    assert again.folder(second) == digests[1] and again.hashed == 0
    # A file gone since is left out.
    (second / "record.yaml").unlink()
    (first / "extra.txt").unlink()
    (first / "later.txt").write_text("y")
    _age(first / "later.txt")
    later = FileDigests(memo)
    later.folder(first)
    later.save()
    kept = json.loads(memo.read_bytes())["files"]
    assert sorted(kept) == sorted([str(first / "record.yaml"), str(first / "later.txt")])


def test_a_file_name_that_is_not_utf8_is_remembered(tmp_path: Path) -> None:
    memo = tmp_path / "cache" / "digests.json"
    folder = tmp_path / "m"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9.txt")  # Latin-1 bytes: a surrogate in the name
    (folder / name).write_text("x")
    _age(folder / name)
    first = FileDigests(memo)
    digest = first.folder(folder)
    first.save()
    again = FileDigests(memo)
    assert again.folder(folder) == digest and again.hashed == 0
