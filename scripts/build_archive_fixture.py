"""Build a small stand-in for a dataset's data archive, laid out as its record describes.

The image datasets publish their tiles in a remote tar archive (gigabytes) and keep only a
sample of the table (``sample_metadata.csv``) in the repository. This script writes a tar with
the layout the record's ``contents`` declare, holding the sample's rows: ``metadata.csv`` (the
sample table), one PNG per row at the path of its image column, and one TIFF per row for a
``geotiff/*.tif`` entry. Pixels are derived from the row's identifier, so the archive is the
same bytes on every run. Tests read it with a Croissant loader to check that the record's
Croissant description (a FileSet contained in the archive, joined to the table by path)
loads.

    python scripts/build_archive_fixture.py datasets/arctic-coastal-change-tiles out.tar
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
import tarfile
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from PIL import Image

IMAGE_SIZE = (224, 224)


def _record(folder: Path) -> dict[str, Any]:
    data = yaml.safe_load((folder / "record.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"{folder / 'record.yaml'}: not a record")
    return data


def _archive_contents(record: dict[str, Any]) -> list[dict[str, Any]]:
    for artefact in record.get("artefacts") or []:
        if artefact.get("role") == "data" and artefact.get("contents"):
            return list(artefact["contents"])
    raise SystemExit("the record has no data archive with contents")


def _sample(folder: Path, record: dict[str, Any]) -> tuple[bytes, list[dict[str, str]]]:
    for artefact in record.get("artefacts") or []:
        if artefact.get("role") == "sample-data" and artefact.get("path"):
            content = (folder / artefact["path"]).read_bytes()
            return content, list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    raise SystemExit("the record has no sample-data file in its folder")


def _colour(key: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(key.encode()).digest()
    return digest[0], digest[1], digest[2]


def _png(key: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", IMAGE_SIZE, _colour(key)).save(buffer, format="PNG")
    return buffer.getvalue()


def _tiff(key: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("F", IMAGE_SIZE, _colour(key)[0] / 127.5 - 1).save(buffer, format="TIFF")
    return buffer.getvalue()


def archive_members(folder: Path) -> dict[str, bytes]:
    """Path inside the archive -> content, for the sample rows of the record in ``folder``."""
    record = _record(folder)
    contents = _archive_contents(record)
    table, rows = _sample(folder, record)
    columns = record.get("columns") or []
    identifier = next((c["name"] for c in columns if c.get("role") == "identifier"), None)
    image_column = next((c["name"] for c in columns if c.get("data_type") == "image"), None)
    members: dict[str, bytes] = {}
    for entry in contents:
        path = str(entry["path"])
        if entry.get("media_type") == "text/csv" and "*" not in path:
            members[path] = table
        elif entry.get("media_type") == "image/png" and image_column:
            for row in rows:
                members[row[image_column]] = _png(row[image_column])
        elif entry.get("media_type") == "image/tiff" and identifier:
            folder_name = str(PurePosixPath(path).parent)
            for row in rows:
                members[f"{folder_name}/{row[identifier]}.tif"] = _tiff(row[identifier])
    return members


def write_archive(folder: Path, target: Path) -> Path:
    """The stand-in archive of the record in ``folder``, written to ``target``."""
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for path, content in sorted(archive_members(folder).items()):
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(content), 0, 0o644
            tar.addfile(info, io.BytesIO(content))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("record_folder", type=Path,
                        help="e.g. datasets/arctic-coastal-change-tiles")
    parser.add_argument("output", type=Path, help="the tar file to write")
    args = parser.parse_args(argv)
    write_archive(args.record_folder, args.output)
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
