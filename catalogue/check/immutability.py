"""Published versions do not change in place: compared with a base revision (the pull request's
target branch), no artefact of an existing record may change its checksum, size or location,
and no record may disappear (mark it deprecated or deleted instead)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from catalogue.load.git import GitError, git, git_paths
from catalogue.load.store import RecordStore
from catalogue.model.findings import Finding, Location, clip, error
from catalogue.model.ids import is_slug
from catalogue.model.kinds import KINDS_BY_FOLDER, RECORD_FILE
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import POINTER_FIELDS
from catalogue.model.records import Record, values_at
from catalogue.model.yaml_source import YamlError, parse_yaml


def base_record_texts(root: Path, ref: str) -> dict[str, str]:
    """The text of every record file at ``ref``, by record id (one ``git cat-file`` call)."""
    prefix = git(root, "rev-parse", "--show-prefix").decode().strip()
    try:
        git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        raise GitError(f"revision '{ref}' is not a commit of the repository at {root}; fetch "
                       "it first (e.g. git fetch origin main) or name another") from None
    ids: dict[str, str] = {}
    for line in git_paths(root, "ls-tree", "-r", "-z", "--name-only", ref, "--",
                          *sorted(KINDS_BY_FOLDER)):
        relative = line[len(prefix):] if line.startswith(prefix) else line
        parts = relative.split("/")
        if (len(parts) == 3 and parts[2] == RECORD_FILE and parts[0] in KINDS_BY_FOLDER
                and is_slug(parts[1])):  # any other folder is no record (and not batchable)
            ids[f"{parts[0]}/{parts[1]}"] = line
    if not ids:
        return {}
    request = "".join(f"{ref}:{path}\n" for path in ids.values()).encode()
    output = git(root, "cat-file", "--batch", stdin=request)
    texts: dict[str, str] = {}
    position = 0
    for record_id in ids:
        header_end = output.index(b"\n", position)
        size = int(output[position:header_end].split()[2])
        texts[record_id] = output[header_end + 1: header_end + 1 + size].decode(errors="replace")
        position = header_end + 1 + size + 1
    return texts


def _pointers(data: Any) -> dict[str, list[dict[str, Any]]]:
    """Every artefact entry, by where it points (path or URL): all of them, so that listing a
    file twice (the new checksum first, the old one last) hides no change."""
    found: dict[str, list[dict[str, Any]]] = {}
    for pattern in POINTER_FIELDS:
        for _, item in values_at(data, pattern):
            if isinstance(item, dict):
                key = item.get("path") or item.get("url")
                if isinstance(key, str):
                    found.setdefault(key, []).append(item)
    return found


def _artefact_location(record: Record, target: str) -> Location:
    for pattern in POINTER_FIELDS:
        for path, item in record.values_at(pattern):
            if isinstance(item, dict) and target in (item.get("path"), item.get("url")):
                return record.location(path)
    return record.location(("artefacts",))


def check_record(record: Record, base_text: str) -> Iterator[Finding]:
    try:
        base = parse_yaml(base_text).value
    except YamlError:
        return  # the base revision was already broken; nothing published to protect
    if not isinstance(base, dict):
        return
    before = _pointers(base)
    after = _pointers(record.data)
    new_version = ("publish the change as a new version: a new record with "
                   f"parent_version: {record.id}")
    for target, olds in before.items():
        old = olds[0]
        entries = after.get(target)
        if entries is None:
            if record.status == DELETED:
                continue  # a deleted record keeps no files
            moved = [t for t, items in after.items()
                     if any(a.get("sha256") == old.get("sha256") for a in items)]
            what = (f"moved from '{target}' to '{moved[0]}'" if moved
                    else f"'{target}' was removed")
            yield error("immutable-artefact", f"artefact {what} in a published version; "
                        f"{new_version}", _artefact_location(record, moved[0] if moved else ""),
                        record.id, "artefacts")
            continue
        for key in ("sha256", "size_bytes"):
            for current in entries:
                if current.get(key) != old.get(key):
                    yield error("immutable-artefact",
                                f"artefact {clip(target)}: {key} changed from "
                                f"{clip(old.get(key))} to {clip(current.get(key))} in a "
                                f"published version; {new_version}",
                                _artefact_location(record, target), record.id, "artefacts")


def check_against_base(store: RecordStore, ref: str,
                       scope: Iterable[str] | None = None) -> list[Finding]:
    """Immutability findings for the records in ``scope`` (default: all) compared with ``ref``.
    Raises ``GitError`` when the comparison cannot be made."""
    texts = base_record_texts(store.root, ref)
    wanted = set(texts) if scope is None else set(scope) & set(texts)
    findings: list[Finding] = []
    for record_id in sorted(wanted):
        if not store.exists(record_id):
            findings.append(error(
                "removed-record", f"record {record_id} exists on {ref} but was removed; a "
                "published record keeps its page: set 'status: deleted' and a status_reason "
                "instead", Location(f"{record_id}/{RECORD_FILE}"), record_id))
            continue
        record = store.get(record_id)
        if record is not None:
            findings.extend(check_record(record, texts[record_id]))
    return findings
