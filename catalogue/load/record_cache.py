"""Parsed and schema-checked records kept between builds: a record file whose bytes are unchanged
is not parsed or checked against its schema again.

The cache (``<cache>/load/records.pickle``) maps each record file's id and sha256 to what loading
it gave: the document with the position of every value, and the findings; and each card's path
to its sha256 and the card as parsed, left pickled until a record's card is asked for (a rebuild
asks for few: unpickling every card took a tenth of its work), with its front matter pickled
apart (the carbon roll-up reads every model's, and nothing else of the card). It is valid for one
*loader version*: the digest of the schemas and of the code that reads records, and the size
limit. Whether a file is unchanged is known from its status (``file_digests``) without reading
it. A run that changed a few entries writes only those, to ``records.delta.pickle`` (tied to the
main file it completes): rewriting every record's parse for one edit costs a rebuild seconds at
ten thousand records. The main file is written again once the changes exceed
1/``DELTA_SHARE`` of it. The files are pickles, so they are trusted only as the catalogue's own
git-ignored cache: a cache folder that git tracks is never read (``cache_dir.committed``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from stat import S_ISREG
from typing import Any, Literal

from catalogue.load.cache_dir import committed
from catalogue.load.file_digests import FileDigests, stat_key
from catalogue.load.safe_write import check_no_symlink, write_bytes_no_follow
from catalogue.model.card import Card, FrontMatter
from catalogue.model.card_templates import template_files
from catalogue.model.findings import Finding
from catalogue.model.yaml_source import YamlDocument

FORMAT = 5
FOLDER = "load"
RECORDS_FILE = "records.pickle"
DELTA_FILE = "records.delta.pickle"
DELTA_SHARE = 32
DIGESTS_FILE = "digests.json"
Loaded = tuple[YamlDocument | None, list[Finding]]
"""A record file's document (``None``: it could not be read as a record) and findings."""
KeptCard = tuple[str, bytes, bytes]
"""A card file's sha256, the card as parsed and its front matter, each pickled."""


def loader_version(schema_files: list[Path], max_bytes: int) -> str:
    # The schemas' folder and every schema in it (one may refer to another).
    """The digest of what decides a load's result besides the file: the schemas, the code that
    reads and checks records, and the size limit."""
    here = Path(__file__).resolve().parent
    code = [here / "store.py", here / "schema_check.py", here.parent / "model" / "yaml_source.py",
            here.parent / "model" / "records.py", here.parent / "model" / "findings.py",
            here.parent / "model" / "kinds.py", here.parent / "model" / "card.py",
            here.parent / "model" / "card_markdown.py", here.parent / "model" / "card_prose.py",
            here.parent / "model" / "dates.py", here.parent / "model" / "licenses.py",
            *template_files()]  # a card's sections' content depends on the stock sentences
    digest = hashlib.sha256(str(max_bytes).encode())
    for path in sorted(set(schema_files)) + code:
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class RecordCache:
    def __init__(self, cache_dir: Path, within: Path | None, version: str) -> None:
        self.folder = cache_dir / FOLDER
        self.within = within
        self.version = version
        self.usable = not committed(cache_dir, within)
        self.digests = FileDigests(self.folder / DIGESTS_FILE if self.usable else None, within)
        self._base: tuple[str, set[str], dict[str, str]] = ("", set(), {})
        """The main file's id, the keys of its entries, and its cards' paths and sha256s
        (``_load``)."""
        self._entries, self._cards = self._load() if self.usable else ({}, {})
        self._used: dict[str, Loaded] = {}
        self._new_cards: dict[str, tuple[str, Card]] = {}
        """The cards parsed in this run, by path, with the sha256 of the file parsed."""
        self._served: dict[int, Card] = {}
        """The cards ``card`` gave, by identity (each held meanwhile)."""
        self._changed = False
        self.hits = 0
        self.card_hits = 0

    def _key(self, record_id: str, path: Path, stat: os.stat_result) -> str:
        return f"{record_id}\0{self.digests.file(path, stat)}"

    def get(self, record_id: str, path: Path, stat: os.stat_result | None) -> Loaded | None:
        if stat is None:
            return None
        key = self._key(record_id, path, stat)
        found = self._entries.get(key)
        if found is not None:
            self._used[key] = found
            self.hits += 1
        return found

    def __len__(self) -> int:
        """How many files' entries the cache holds (some may be of files since changed)."""
        return len(self._entries)

    def holds(self, record_id: str, path: Path, stat: os.stat_result | None) -> bool:
        """Whether ``get`` would find the file's entry (without counting it as used)."""
        return stat is not None and self._key(record_id, path, stat) in self._entries

    def put(self, record_id: str, path: Path, stat: os.stat_result | None,
            loaded: Loaded) -> None:
        if stat is None:
            return
        try:
            if stat_key(os.stat(path)) != stat_key(stat):  # changed while read: keep nothing
                return
        except OSError:
            return
        self._used[self._key(record_id, path, stat)] = loaded
        self._changed = True

    def _card_digest(self, path: Path) -> str | None:
        """A card file's sha256, for a regular file only (a symlink or a missing card is
        looked at again on every run)."""
        try:
            stat = os.lstat(path)
        except OSError:
            return None
        return self.digests.file(path, stat) if S_ISREG(stat.st_mode) else None

    def card(self, path: Path) -> Card | None:
        """The card parsed from ``path`` on an earlier run, if its bytes are the same."""
        kept, card = self._kept(path, 1)
        if not kept or not isinstance(card, Card):
            return None
        self._served[id(card)] = card
        self.card_hits += 1
        return card

    def front_matter(self, path: Path) -> tuple[bool, FrontMatter | None]:
        """The front matter of the card parsed from ``path`` on an earlier run, if its bytes
        are the same: (whether it was, the front matter or None)."""
        kept, front_matter = self._kept(path, 2)
        if not kept or (front_matter is not None and not isinstance(front_matter, FrontMatter)):
            return False, None
        return True, front_matter

    def _kept(self, path: Path, part: Literal[1, 2]) -> tuple[bool, object]:
        """Part ``part`` of the card kept for ``path`` (``KeptCard``), unpickled, if the file's
        bytes are those parsed: (whether it was, the part)."""
        kept = self._cards.get(str(path))
        if kept is None or self._card_digest(path) != kept[0]:
            return False, None
        try:
            return True, pickle.loads(kept[part])
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                TypeError, ValueError):
            return False, None

    def put_card(self, path: Path, card: Card) -> None:
        """Keep a card parsed in this run (one ``card`` gave is kept already)."""
        if id(card) in self._served or str(path) in self._new_cards:
            return
        digest = self._card_digest(path)
        if digest is not None:
            self._new_cards[str(path)] = (digest, card)
            self._changed = True

    def changes(self) -> int:
        """How many entries this run would write that the main file does not hold."""
        _, base_keys, base_cards = self._base
        return len(self._used.keys() - base_keys) + sum(
            1 for path, (digest, _) in self._new_cards.items() if base_cards.get(path) != digest)

    def save(self, card_paths: Iterable[str] = ()) -> None:
        """Keep the entries of this run's files (best effort): the few that changed on their
        own, or all of them. ``card_paths``: the cards of the records there are now; each is
        kept as parsed in this run, or else as kept before (whether asked for or not)."""
        if not self.usable:
            return
        live = set(card_paths)
        cards = {path: kept for path, kept in self._cards.items() if path in live}
        cards.update((path, (digest, pickle.dumps(card, protocol=pickle.HIGHEST_PROTOCOL),
                             pickle.dumps(card.front_matter, protocol=pickle.HIGHEST_PROTOCOL)))
                     for path, (digest, card) in self._new_cards.items() if path in live)
        if not (self._changed or len(self._used) != len(self._entries) or
                len(cards) != len(self._cards)):
            return
        base_id, base_keys, base_cards = self._base
        entries = {k: v for k, v in self._used.items() if k not in base_keys}
        changed_cards = {path: kept for path, kept in cards.items()
                         if base_cards.get(path) != kept[0]}
        gone_cards = sorted(base_cards.keys() - cards.keys())
        stale = len(base_keys - self._used.keys()) + len(gone_cards)
        small = (len(entries) + len(changed_cards) + stale) * DELTA_SHARE <= \
            len(base_keys) + len(base_cards)
        try:
            check_no_symlink(self.folder, self.within)
            self.folder.mkdir(parents=True, exist_ok=True)
            if base_id and small:
                self._write(DELTA_FILE, {"base": base_id, "entries": entries,
                                         "cards": changed_cards, "gone_cards": gone_cards})
            else:
                self._write(RECORDS_FILE, {"id": os.urandom(16).hex(), "entries": self._used,
                                           "cards": cards})
                (self.folder / DELTA_FILE).unlink(missing_ok=True)
        except OSError:
            return
        self.digests.save()

    def _write(self, name: str, document: dict[str, Any]) -> None:
        write_bytes_no_follow(self.folder / name, pickle.dumps(
            {"format": FORMAT, "version": self.version, **document},
            protocol=pickle.HIGHEST_PROTOCOL), within=self.within)

    def _read(self, name: str) -> dict[str, Any] | None:
        file = self.folder / name
        try:
            check_no_symlink(file, self.within)
            with open(file, "rb") as handle:
                document: Any = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                IndexError, TypeError, ValueError):
            return None
        if not isinstance(document, dict) or document.get("format") != FORMAT or \
                document.get("version") != self.version or \
                not isinstance(document.get("entries"), dict) or \
                not isinstance(document.get("cards"), dict):
            return None
        return document

    def _load(self) -> tuple[dict[str, Loaded], dict[str, KeptCard]]:
        base = self._read(RECORDS_FILE)
        if base is None or not isinstance(base.get("id"), str):
            return {}, {}
        entries, cards = base["entries"], base["cards"]
        try:
            self._base = (base["id"], set(entries), {path: kept[0]
                                                     for path, kept in cards.items()})
        except (TypeError, ValueError):
            return {}, {}
        delta = self._read(DELTA_FILE)
        if delta is not None and delta.get("base") == base["id"] and \
                isinstance(delta.get("gone_cards"), list):
            entries.update(delta["entries"])
            cards.update(delta["cards"])
            for path in delta["gone_cards"]:
                cards.pop(path, None)
        return entries, cards
