"""Load: find every ``<kind folder>/<slug>/record.yaml`` and turn each into a ``Record``.

Discovery only lists folders, so it is cheap on a catalogue of any size; records are parsed and
schema-checked when first asked for, which lets ``omh validate`` on a few changed records touch
only those and the records that refer to them.

A kind folder, a record folder or a ``record.yaml`` that is a symlink is refused, wherever it
points: a committed symlink would otherwise make the catalogue read (and the site publish) files
from outside the repository.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from stat import S_ISLNK, S_ISREG

from catalogue.load.cache_dir import cache_location
from catalogue.load.record_cache import RecordCache, loader_version
from catalogue.load.reference_cache import MentionIndex, referrer_candidates
from catalogue.load.schema_check import SCHEMA_DIR, validate_document
from catalogue.load.settings_file import load_settings
from catalogue.model.findings import Finding, Location, error
from catalogue.model.ids import is_slug, suggest_slug
from catalogue.model.kinds import KINDS, KINDS_BY_FOLDER, RECORD_FILE
from catalogue.model.records import Record
from catalogue.model.settings import Settings
from catalogue.model.yaml_source import YamlError, read_yaml_file


class RecordStore:
    """The records of one catalogue, loaded lazily and cached, with their load findings."""

    def __init__(self, root: Path, settings: Settings | None = None, *,
                 use_cache: bool = True, keep_records: bool = False) -> None:
        """``use_cache``: keep the ids each record file mentions in the catalogue's
        cache folder between runs (see ``referrers``); ``keep_records``: also keep each record
        as loaded, for runs that load them all (``record_cache``; ``save`` writes it)."""
        self.root = root.resolve()
        if settings is None:
            settings, self.settings_findings = load_settings(self.root)
        else:
            self.settings_findings = []
        self.settings = settings
        self.paths: dict[str, Path] = {}
        self.file_stats: dict[str, os.stat_result] = {}
        """Each record file's status when it was discovered."""
        self.discovery_findings: dict[str, list[Finding]] = {}
        self._records: dict[str, Record | None] = {}
        self._findings: dict[str, list[Finding]] = {}
        location = cache_location(self.root, settings.artefacts)
        self.mention_index = MentionIndex(*location) if use_cache else MentionIndex(None)
        self.record_cache = RecordCache(*location, loader_version(
            sorted(SCHEMA_DIR.glob("*.json")), settings.limits.max_record_bytes)) \
            if use_cache and keep_records else None
        self._discover()

    # -- discovery -------------------------------------------------------------------------
    def _discover(self) -> None:
        for folder in sorted(KINDS_BY_FOLDER):
            kind_dir = self.root / folder
            if kind_dir.is_symlink():
                self.discovery_findings[folder] = [error(
                    "symlink", f"'{folder}' is a symlink; a kind folder must be a real folder "
                    "in the repository (replace the link with the folder itself)",
                    Location(folder))]
                continue
            if not kind_dir.is_dir():
                continue
            with os.scandir(kind_dir) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    self._discover_entry(folder, entry)

    def _discover_entry(self, folder: str, entry: os.DirEntry[str]) -> None:
        record_id = f"{folder}/{entry.name}"
        where = Location(record_id)
        if entry.name.startswith(".") or entry.name in {"README.md", ".gitkeep"}:
            return
        if entry.is_symlink():
            self.discovery_findings[record_id] = [error(
                "symlink", f"'{record_id}' is a symlink; a record must be a real folder holding "
                f"{RECORD_FILE} (replace the link with the folder itself)", where, record_id)]
            return
        if not entry.is_dir():
            self.discovery_findings[record_id] = [error(
                "layout", f"'{record_id}' is a file; each record is a folder "
                f"{folder}/<slug>/ holding {RECORD_FILE}", where, record_id)]
            return
        if not is_slug(entry.name):
            self.discovery_findings[record_id] = [error(
                "slug", f"folder name '{entry.name}' is not a valid slug: use lower-case letters, "
                f"digits and single hyphens, e.g. '{suggest_slug(entry.name)}'", where, record_id)]
            return
        record_file = os.path.join(entry.path, RECORD_FILE)
        try:
            file_stat = os.lstat(record_file)  # one system call; the index reuses it
        except OSError:
            file_stat = None
        if file_stat is not None and S_ISLNK(file_stat.st_mode):
            self.discovery_findings[record_id] = [error(
                "symlink", f"'{record_id}/{RECORD_FILE}' is a symlink; write the record in the "
                "file itself", Location(f"{record_id}/{RECORD_FILE}"), record_id)]
            return
        if file_stat is None or not S_ISREG(file_stat.st_mode):
            self.discovery_findings[record_id] = [error(
                "layout", f"folder '{record_id}' has no {RECORD_FILE}", where, record_id)]
            return
        self.paths[record_id] = Path(record_file)
        self.file_stats[record_id] = file_stat

    # -- access ----------------------------------------------------------------------------
    def ids(self, kind: str | None = None) -> list[str]:
        if kind is None:
            return list(self.paths)
        prefix = KINDS[kind].folder + "/"
        return [i for i in self.paths if i.startswith(prefix)]

    def exists(self, record_id: str) -> bool:
        return record_id in self.paths

    def get(self, record_id: str) -> Record | None:
        """The record, or ``None`` if it does not exist or cannot be read at all."""
        if record_id not in self._records:
            self._records[record_id] = self._load(record_id)
        return self._records[record_id]

    def findings(self, record_id: str) -> list[Finding]:
        self.get(record_id)
        return self.discovery_findings.get(record_id, []) + self._findings.get(record_id, [])

    def load_all(self) -> list[Record]:
        return [r for r in (self.get(i) for i in self.paths) if r is not None]

    def loaded(self) -> list[Record]:
        return [r for r in self._records.values() if r is not None]

    def referrers(self, targets: Iterable[str]) -> set[str]:
        """Ids of the records that refer to any of ``targets``.

        The ids each record file mentions (``catalogue.load.reference_cache``, read from the
        cache for the files unchanged since the last run) give the candidates without parsing
        them; a candidate counts only if a declared reference field really holds the id.
        """
        wanted = set(targets)
        mentioned = self.mention_index.collect(self.paths, self.file_stats)
        found: set[str] = set()
        for record_id in sorted(referrer_candidates(mentioned, wanted)):
            record = self.get(record_id)
            if record is not None and wanted & record.referenced_ids():
                found.add(record_id)
        return found

    def save(self) -> None:
        """Keep what is worth keeping for the next run (best effort)."""
        cache = self.record_cache
        if cache is None:
            return
        for record in self.loaded():
            card = record.__dict__.get("card")  # parsed during this run
            if card is not None:
                cache.put_card(record.card_path, card)
        cache.save()

    # -- loading ---------------------------------------------------------------------------
    def _load(self, record_id: str) -> Record | None:
        path = self.paths.get(record_id)
        if path is None:
            return None
        cache = self.record_cache
        if cache is None:
            return self._read(record_id, path)
        stat = self.file_stats.get(record_id)
        cached = cache.get(record_id, path, stat)
        if cached is not None:
            doc, findings = cached
            self._findings[record_id] = list(findings)
            record = None if doc is None else Record(record_id, KINDS_BY_FOLDER[
                record_id.split("/", 1)[0]], path.parent, f"{record_id}/{RECORD_FILE}", doc)
        else:
            record = self._read(record_id, path)
            cache.put(record_id, path, stat, (record.doc if record is not None else None,
                                              list(self._findings.get(record_id, []))))
        if record is not None:
            card = cache.card(record.card_path)
            if card is not None:
                record.__dict__["card"] = card  # the cached_property, already computed
        return record

    def _read(self, record_id: str, path: Path) -> Record | None:
        folder = record_id.split("/", 1)[0]
        kind = KINDS_BY_FOLDER[folder]
        file = f"{record_id}/{RECORD_FILE}"
        findings = self._findings.setdefault(record_id, [])
        try:
            doc = read_yaml_file(path, self.settings.limits.max_record_bytes)
        except YamlError as exc:
            findings.append(error(exc.rule, exc.message, Location(file, exc.line, exc.column),
                                  record_id))
            return None
        except OSError as exc:
            findings.append(error("io", f"cannot read the file: {exc.strerror}", Location(file),
                                  record_id))
            return None
        if not isinstance(doc.value, dict):
            found = "an empty file" if doc.value is None else f"a {type(doc.value).__name__}"
            findings.append(error("schema", f"a record must be a mapping of fields, found {found}"
                                  f" (start with 'kind: {kind.name}')", Location(file), record_id))
            return None
        record = Record(record_id, kind, path.parent, file, doc)
        skip: frozenset[tuple[str | int, ...]] = frozenset()
        declared_kind = doc.value.get("kind")
        if declared_kind != kind.name:
            findings.append(error(
                "kind-mismatch",
                f"field 'kind': found {declared_kind!r} but records in {folder}/ are "
                f"'{kind.name}'" + (f"; move the folder to {KINDS[declared_kind].folder}/"
                                    if isinstance(declared_kind, str) and declared_kind in KINDS
                                    else f"; write 'kind: {kind.name}'"),
                record.location(("kind",)), record_id, "kind"))
            skip = frozenset({("kind",)})
        declared_id = doc.value.get("id")
        if declared_id is not None and declared_id != record_id:
            findings.append(error(
                "id-mismatch", f"field 'id': found {declared_id!r} but the record's folder makes "
                f"its id '{record_id}'; an id is its path: fix the id or rename the folder",
                record.location(("id",)), record_id, "id"))
            skip |= {("id",)}
        findings.extend(validate_document(doc, kind.schema_file, file, record_id, skip))
        return record
