"""Load: find every ``<kind folder>/<slug>/record.yaml`` and turn each into a ``Record``.

Discovery only lists folders, so it is cheap on a catalogue of any size; records are parsed and
schema-checked when first asked for, which lets ``omh validate`` on a few changed records touch
only those and the records that refer to them.

A kind folder, a record folder or a ``record.yaml`` that is a symlink is refused, wherever it
points: a committed symlink would otherwise make the catalogue read (and the site publish) files
from outside the repository.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import TYPE_CHECKING

from catalogue.load.cache_dir import cache_location
from catalogue.load.forked import (
    POOL_MINIMUM,
    Forked,
    ForkedFailed,
    can_fork,
    forked_map,
    run_forked,
)
from catalogue.load.licence_verdicts import LicenceVerdicts
from catalogue.load.reference_cache import MentionIndex
from catalogue.load.schema_dir import SCHEMA_DIR
from catalogue.load.settings_file import load_settings
from catalogue.model.findings import Finding, Location, error
from catalogue.model.ids import SLUG, is_slug, suggest_slug
from catalogue.model.kinds import CARD_FILE, KINDS, KINDS_BY_FOLDER, RECORD_FILE
from catalogue.model.records import Record
from catalogue.model.settings import Settings
from catalogue.model.yaml_source import (
    YamlDocument,
    YamlError,
    parse_yaml_bytes,
    read_yaml_file,
)

if TYPE_CHECKING:
    from catalogue.load.file_digests import FileDigests
    from catalogue.load.findings_memo import FindingsMemo
    from catalogue.load.loaded_records import LoadedRecords
    from catalogue.load.record_cache import Loaded, RecordCache
    from catalogue.model.card import Card


class RecordFiles(Mapping[str, Path]):
    """Each record's id and its ``record.yaml``. The file's name is kept as found and made a
    ``Path`` only when asked for: making one for every record of a large catalogue would cost
    ``omh validate`` on one file more than listing the folders does."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        """Record id -> the file's name as discovery found it."""
        self._paths: dict[str, Path] = {}

    def __getitem__(self, record_id: str) -> Path:
        path = self._paths.get(record_id)
        if path is None:
            path = self._paths[record_id] = Path(self.names[record_id])
        return path

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def _record_file(folder: os.DirEntry[str]) -> tuple[str, os.stat_result | None]:
    """The record file of the record folder ``folder``, and its status (one system call,
    which the reference index reuses; ``None`` when there is no such file)."""
    record_file = f"{folder.path}{os.sep}{RECORD_FILE}"
    try:
        return record_file, os.lstat(record_file)
    except OSError:
        return record_file, None


class RecordStore:
    """The records of one catalogue, loaded lazily and cached, with their load findings."""

    def __init__(self, root: Path, settings: Settings | None = None, *,
                 use_cache: bool = True, keep_records: bool = False,
                 keep_each: bool = False) -> None:
        """``use_cache``: keep the ids each record file mentions in the catalogue's
        cache folder between runs (see ``referrers``), and the verdicts on licence expressions
        (``licence_verdicts``); ``keep_records``: also keep each record
        as loaded, for runs that load them all (``record_cache``; ``save`` writes it);
        ``keep_each``: keep each record as loaded, with its card, in a file of its own, for
        runs that load a few (the pre-commit hook: ``loaded_records``, and whether
        ``catalogue.yaml`` is valid; ``save`` writes them)."""
        self.root = root.resolve()
        if settings is None:
            settings, self.settings_findings = load_settings(
                self.root, remember=use_cache and keep_each)
        else:
            self.settings_findings = []
        self.settings = settings
        self.paths = RecordFiles()
        self.file_stats: dict[str, os.stat_result] = {}
        """Each record file's status when it was discovered."""
        self.discovery_findings: dict[str, list[Finding]] = {}
        self._records: dict[str, Record | None] = {}
        self._saving: Forked[None] | None = None
        """The save made meanwhile (``save``), until it is waited for."""
        self._findings: dict[str, list[Finding]] = {}
        location = self._location = cache_location(self.root, settings.artefacts)
        self.mention_index = MentionIndex(*location) if use_cache else MentionIndex(None)
        self.licences = LicenceVerdicts(*location) if use_cache else LicenceVerdicts(None)
        self.record_cache = _record_cache(location, settings) \
            if use_cache and keep_records else None
        self.findings_memo = _findings_memo(location, settings, self.record_cache.digests) \
            if self.record_cache is not None else None
        """The findings of the checks of one record's folder, for runs that check them all."""
        self._each: LoadedRecords | None = None
        self._each_location = location if use_cache and keep_each and not keep_records \
            else None
        """Where each record is kept as loaded (a run that keeps all records keeps them
        together instead)."""
        self._discover()

    # -- discovery -------------------------------------------------------------------------
    def _discover(self) -> None:
        """List every kind folder once (``os.scandir``, one ``lstat`` per record file): on a
        large catalogue this runs on every ``omh validate``, so a record folder laid out as it
        should be costs no more than that; any other entry is looked at again by
        ``_discover_entry``, which says what is wrong with it."""
        root = str(self.root)
        for folder in sorted(KINDS_BY_FOLDER):
            kind_dir = os.path.join(root, folder)
            try:
                mode = os.lstat(kind_dir).st_mode
            except OSError:
                continue
            if S_ISLNK(mode):
                self.discovery_findings[folder] = [error(
                    "symlink", f"'{folder}' is a symlink; a kind folder must be a real folder "
                    "in the repository (replace the link with the folder itself)",
                    Location(folder))]
                continue
            if S_ISDIR(mode):
                self._discover_folder(folder, kind_dir)

    def _discover_folder(self, folder: str, kind_dir: str) -> None:
        files, stats, slug = self.paths.names, self.file_stats, SLUG.fullmatch
        with os.scandir(kind_dir) as listing:
            entries = sorted(listing, key=attrgetter("name"))
        for entry in entries:
            name = entry.name
            if name[0] == "." or name == "README.md":
                continue
            if entry.is_dir(follow_symlinks=False) and slug(name):
                record_file, file_stat = _record_file(entry)
                if file_stat is not None and S_ISREG(file_stat.st_mode):
                    record_id = f"{folder}/{name}"
                    files[record_id] = record_file
                    stats[record_id] = file_stat
                    continue
            self._discover_entry(folder, entry)

    def _discover_entry(self, folder: str, entry: os.DirEntry[str]) -> None:
        """Add the record ``entry`` holds, or the finding that says why it holds none."""
        name = entry.name
        record_id = f"{folder}/{name}"
        if entry.is_symlink():
            self.discovery_findings[record_id] = [error(
                "symlink", f"'{record_id}' is a symlink; a record must be a real folder holding "
                f"{RECORD_FILE} (replace the link with the folder itself)", Location(record_id),
                record_id)]
            return
        if not entry.is_dir():
            self.discovery_findings[record_id] = [error(
                "layout", f"'{record_id}' is a file; each record is a folder "
                f"{folder}/<slug>/ holding {RECORD_FILE}", Location(record_id), record_id)]
            return
        if not is_slug(name):
            self.discovery_findings[record_id] = [error(
                "slug", f"folder name '{name}' is not a valid slug: use lower-case letters, "
                f"digits and single hyphens, e.g. '{suggest_slug(name)}'", Location(record_id),
                record_id)]
            return
        record_file, file_stat = _record_file(entry)
        if file_stat is not None and S_ISLNK(file_stat.st_mode):
            self.discovery_findings[record_id] = [error(
                "symlink", f"'{record_id}/{RECORD_FILE}' is a symlink; write the record in the "
                "file itself", Location(f"{record_id}/{RECORD_FILE}"), record_id)]
            return
        if file_stat is None or not S_ISREG(file_stat.st_mode):
            self.discovery_findings[record_id] = [error(
                "layout", f"folder '{record_id}' has no {RECORD_FILE}", Location(record_id),
                record_id)]
            return
        self.paths.names[record_id] = record_file
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

    def load_many(self, record_ids: Sequence[str], jobs: int) -> None:
        """Load ``record_ids`` ahead of asking for them: those the record cache does not hold
        (a first run, a run after the schemas changed) are read and checked in ``jobs``
        processes when they are many (``forked``: parsing and checking is most of a cold
        ``omh validate``); ``get`` loads any other one when asked."""
        cache = self.record_cache
        # At most this many are missing: a warm run looks no record up twice.
        if cache is None or not can_fork(jobs, len(record_ids) - len(cache)):
            return
        missing = [i for i in record_ids if i not in self._records and i in self.paths and
                   not cache.holds(i, self.paths[i], self.file_stats.get(i))]
        if not can_fork(jobs, len(missing)):
            return
        from catalogue.load.schema_check import validate_document  # noqa: F401 (once, here)

        self.licences.ready()

        def read(record_id: str) -> Loaded:
            record = self._read(record_id, self.paths[record_id])
            return (record.doc if record is not None else None,
                    self._findings.get(record_id, []))

        for record_id, loaded in zip(missing, forked_map(read, missing, jobs), strict=True):
            path = self.paths[record_id]
            cache.put(record_id, path, self.file_stats.get(record_id), loaded)
            self._records[record_id] = self._from_loaded(record_id, path, loaded)

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
        candidates = self.mention_index.mentioning(wanted, self.paths.names, self.file_stats)
        found: set[str] = set()
        for record_id in sorted(candidates):
            record = self.get(record_id)
            if record is not None and wanted & record.referenced_ids():
                found.add(record_id)
        return found

    def save(self, jobs: int = 1) -> None:
        """Keep what is worth keeping for the next run (best effort). With ``jobs`` above one
        and many records to keep (a first run: the pickle of every record, seconds at 10,000),
        in a process forked from this one, while this one goes on (``settle`` waits for it; so
        does the next save, whose files are newer)."""
        self.settle()
        cache = self.record_cache
        if jobs > 1 and cache is not None and cache.changes() >= POOL_MINIMUM:
            self._saving = run_forked(self._save)
            if self._saving is not None:
                return
        self._save()

    def settle(self) -> None:
        """Wait for a save made meanwhile; one that failed only makes the next run slower."""
        if self._saving is not None:
            with contextlib.suppress(ForkedFailed):
                self._saving.wait()
            self._saving = None

    def _save(self) -> None:
        cache, each = self.record_cache, self._each
        if cache is not None:
            for record, card in self._cards_read():
                cache.put_card(record.card_path, card)
            cache.save(str(path.parent / CARD_FILE) for path in self.paths.values())
            if self.findings_memo is not None:
                self.findings_memo.save()
            cache.digests.save()  # the folders' files, digested for the memo
            from catalogue.load.loaded_records import forget_others

            forget_others(*self._location, self.paths)  # the hook's, of records now gone
        elif each is not None:
            for record, card in self._cards_read():
                each.put_card(record.id, card)
            each.save()

    def _cards_read(self) -> Iterator[tuple[Record, Card]]:
        """The loaded records whose card was read during this run, with it."""
        for record in self.loaded():
            card = record.__dict__.get("card")
            if card is not None:
                yield record, card

    # -- loading ---------------------------------------------------------------------------
    def _load(self, record_id: str) -> Record | None:
        path = self.paths.get(record_id)
        if path is None:
            return None
        cache = self.record_cache
        if cache is None:
            each = self.loaded_records
            return self._read(record_id, path) if each is None else \
                self._load_kept(record_id, path, each)
        stat = self.file_stats.get(record_id)
        cached = cache.get(record_id, path, stat)
        if cached is not None:
            return self._from_loaded(record_id, path, cached)
        record = self._read(record_id, path)
        cache.put(record_id, path, stat, (record.doc if record is not None else None,
                                          list(self._findings.get(record_id, []))))
        return self._with_card(record)

    def _from_loaded(self, record_id: str, path: Path, loaded: Loaded) -> Record | None:
        """The record and its findings from what loading it gave (here or in a worker)."""
        doc, findings = loaded
        self._findings[record_id] = list(findings)
        return self._with_card(None if doc is None else self._record(record_id, path, doc))

    def _with_card(self, record: Record | None) -> Record | None:
        """``record``, whose card is taken from the record cache when it is first asked for
        and the cache holds it as it is."""
        if record is not None and self.record_cache is not None:
            record.kept_card = self.record_cache.card
            record.kept_front_matter = self.record_cache.front_matter
        return record

    def _load_kept(self, record_id: str, path: Path, each: LoadedRecords) -> Record | None:
        """The record as an earlier run loaded it when its bytes are the same, or as read from
        those very bytes (and kept); its card likewise."""
        from catalogue.load.loaded_records import record_bytes

        raw = record_bytes(path, self.settings.limits.max_record_bytes)
        kept = None if raw is None else each.record(record_id, raw)
        if kept is not None:
            doc, findings = kept
            self._findings[record_id] = list(findings)
            record = None if doc is None else self._record(record_id, path, doc)
        else:
            record = self._read(record_id, path, raw)
            if raw is not None:
                each.put_record(record_id, raw, (record.doc if record is not None else None,
                                                 list(self._findings.get(record_id, []))))
        if record is not None:
            card = each.card(record_id, record.card_path)
            if card is not None:
                record.__dict__["card"] = card  # the cached_property, already computed
        return record

    @property
    def loaded_records(self) -> LoadedRecords | None:
        """The records kept one by one (``keep_each``), opened when the first is loaded."""
        if self._each is None and self._each_location is not None:
            from catalogue.load.loaded_records import LoadedRecords, cache_version

            self._each = LoadedRecords(*self._each_location,
                                       cache_version(_loader_version(self.settings)))
        return self._each

    def _record(self, record_id: str, path: Path, doc: YamlDocument) -> Record:
        return Record(record_id, KINDS_BY_FOLDER[record_id.split("/", 1)[0]], path.parent,
                      f"{record_id}/{RECORD_FILE}", doc)

    def _read(self, record_id: str, path: Path, raw: bytes | None = None) -> Record | None:
        """Read and check the record (``raw``: the file's bytes, when they were read
        already)."""
        folder = record_id.split("/", 1)[0]
        kind = KINDS_BY_FOLDER[folder]
        file = f"{record_id}/{RECORD_FILE}"
        findings = self._findings.setdefault(record_id, [])
        try:
            max_bytes = self.settings.limits.max_record_bytes
            doc = read_yaml_file(path, max_bytes) if raw is None else \
                parse_yaml_bytes(raw, max_bytes)
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
        from catalogue.load.schema_check import validate_document  # jsonschema: slow to load

        findings.extend(validate_document(doc, kind.schema_file, file, record_id, skip,
                                          self.licences.problem))
        return record


def _record_cache(location: tuple[Path, Path | None], settings: Settings) -> RecordCache:
    """The cache of loaded records, for runs that load them all (its module is imported only
    then)."""
    from catalogue.load.loaded_records import cache_version
    from catalogue.load.record_cache import RecordCache

    return RecordCache(*location, cache_version(_loader_version(settings)))


def _findings_memo(location: tuple[Path, Path | None], settings: Settings,
                   digests: FileDigests) -> FindingsMemo:
    from catalogue.load.findings_memo import FindingsMemo, checks_version

    return FindingsMemo(*location, checks_version(settings), digests)


def _loader_version(settings: Settings) -> str:
    """What decides a record's load besides its file (``record_cache.loader_version``)."""
    from catalogue.load.record_cache import loader_version

    return loader_version(sorted(SCHEMA_DIR.glob("*.json")), settings.limits.max_record_bytes)
