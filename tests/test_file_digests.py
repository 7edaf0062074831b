"""A folder's digest (``file_digests.FileDigests.folder``): what tells a build that a record's
folder changed. It covers every file under the folder, nested ones included, by name and
bytes, and a symlink by where it points, never by what it points to."""

from __future__ import annotations

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
