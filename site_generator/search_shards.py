"""The search index in shards: each a Pagefind bundle, indexed again only when its documents
change.

Pagefind indexes every document it is given on every run: on a large catalogue that is seconds
of each build, however little changed. So the record pages' index documents are split into
shards by a hash of their page path (``shard_of``): one shard for a small catalogue, and a
power of two of them, at least ``DOCUMENTS_PER_SHARD`` documents each, for a large one. Each
shard is a complete bundle of its own, ``pagefind/<shard>/``.

A shard's key is a digest of Pagefind's version, the build cache's global key and the shard's
documents (each page path with the SHA-256 of its document: a reused page's document is a blob
of the cache already, named by that digest, and is not read). The build cache keeps each
shard's files as blobs under its key; a later build that finds its key there links those files
into the site, and only the shards whose key is new are indexed, with only their documents
written for Pagefind. Without a cache, every shard is indexed.

A rebuild after an edit knows the new documents of the edited records first, before it checks
which other pages changed (most of a second at 10,000 records): their shards' runs begin then
(``begin_first``), on the cache's documents for every other page of the shard. Once all the
documents are known, a run whose shard has those very documents (the same key) is taken over
as the shard's run; one whose shard turned out otherwise (another page built again changed its
document too) is stopped, and the shard is indexed as any other.

The search page imports every bundle and merges what they find (``omh-search.js``): filter
counts add up, and a sorted view is merged by the pages' sort keys, which are unique
(``search.sort_values``), so that it is what one index of every document would give.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from site_generator.build_cache import BuildCache, ShardFiles
from site_generator.cached_output import place_files
from site_generator.in_place import remove_stale
from site_generator.output_dir import remove_in_background
from site_generator.pagefind_index import (
    Run,
    SearchIndexError,
    document_file,
    finish_index,
    pagefind_version,
    start_index,
    stop_index,
)
from site_generator.search import BUNDLE_FOLDER

DOCUMENTS_PER_SHARD = 1250
"""The fewest documents a shard holds when there are several: a catalogue of fewer than twice
as many has one shard; each doubling beyond doubles them, up to ``MOST_SHARDS``."""
MOST_SHARDS = 16
"""The search page asks every shard for every search: beyond this, the requests of a search
would cost more than the indexing they save."""
KEY_FORMAT = "omh search shard 1"


def shard_count(documents: int, per_shard: int | None = None) -> int:
    """The number of shards of ``documents`` documents: the largest power of two, at most
    ``MOST_SHARDS``, that leaves each shard ``per_shard`` documents on average."""
    per_shard = max(1, per_shard or DOCUMENTS_PER_SHARD)
    count = 1
    while count < MOST_SHARDS and documents >= 2 * count * per_shard:
        count *= 2
    return count


def shard_of(path: str, count: int) -> int:
    """The shard of the page at ``path`` among ``count``: a page keeps its shard for as long
    as the number of shards stays the same."""
    digest = hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def shard_folder(shard: int) -> str:
    """The shard's bundle, from the site root."""
    return f"{BUNDLE_FOLDER}/{shard}/"


@dataclass(frozen=True)
class ShardPlan:
    count: int
    shards: tuple[int, ...]
    """The shards that hold a document, in order (an empty shard has no bundle)."""

    @property
    def folders(self) -> list[str]:
        """The bundles, from the site root: what the search page imports."""
        return [shard_folder(shard) for shard in self.shards]


def plan_shards(paths: Iterable[str], per_shard: int | None = None) -> ShardPlan:
    """The shards of the index documents of the pages at ``paths``."""
    paths = list(paths)
    count = shard_count(len(paths), per_shard)
    return ShardPlan(count, tuple(sorted({shard_of(path, count) for path in paths})))


class Document(NamedTuple):
    path: str
    """The page's path."""
    html: str | None
    """The document, when its page was built now."""
    blob: str | None
    """The document's blob in the build cache (a reused page's, or one put as its page was
    made)."""


def shard_key(pages: Iterable[tuple[str, str]], cache_key: str) -> str:
    """The key of a shard of the documents ``pages`` (page path, SHA-256 of the document)."""
    digest = hashlib.sha256(f"{KEY_FORMAT}\0{pagefind_version()}\0{cache_key}\0".encode())
    for path, document in sorted(pages):
        digest.update(f"{path}\0{document}\n".encode())
    return digest.hexdigest()


@dataclass
class ShardWork:
    """A build's shards once ``prepare_shards`` has taken those the cache held: the others
    are left to index, their documents written in ``work``."""

    site_dir: Path
    work: Path
    placed: dict[str, ShardFiles] = field(default_factory=dict)
    """The shards taken from the cache, by key."""
    to_place: list[tuple[ShardFiles, Path]] = field(default_factory=list)
    """Those of them not in the site yet, with their folders (``place_kept``)."""
    stale: list[tuple[int, str]] = field(default_factory=list)
    """(shard, key) of each shard to index."""
    begun: dict[int, str] = field(default_factory=dict)
    """The key each run ``begin_first`` began (in ``running``) assumed for its shard, until
    ``prepare_shards`` takes the run over or stops it."""
    pending: list[int] = field(default_factory=list)
    """The shards to index whose Pagefind run has not begun."""
    running: dict[int, Run] = field(default_factory=dict)
    """The runs begun (``start_shards``) and not waited for yet."""


def prepare_shards(site_dir: Path, documents: Iterable[Document], plan: ShardPlan,
                   cache: BuildCache | None, place: bool = True,
                   first: ShardWork | None = None) -> ShardWork:
    """Split ``documents`` into the shards of ``plan``, place in the site those the cache
    holds (unless ``place`` is false: the caller does, with ``place_kept``), and write the
    documents of the others for ``index_shards``. A run ``first`` began (``begin_first``) on
    the very documents of its shard is taken over; the others it began are stopped."""
    work = first or ShardWork(site_dir, Path(tempfile.mkdtemp(prefix="omh-search-")))
    begun, work.begun = work.begun, {}
    with _stopped_on_failure(work):
        pages = _shard_pages(work, documents, plan, cache)
        _clear_bundles(site_dir, plan)
        for shard, shard_pages in pages.items():
            key = shard_key(((path, digest) for path, digest, _ in shard_pages),
                            cache.key if cache is not None else "")
            files = cache.shard(key) if cache is not None else None
            if files is not None and cache is not None:
                work.to_place.append((files, site_dir / shard_folder(shard)))
                work.placed[key] = files
                continue
            work.stale.append((shard, key))
            if shard in begun:
                if begun.pop(shard) == key:
                    continue  # (taken over)
                stop_index(work.running.pop(shard))  # (begun on other documents)
            _write_documents(work.work / str(shard), shard_pages)
            work.pending.append(shard)
        for shard in begun:  # (begun on documents whose shard the cache turned out to hold)
            stop_index(work.running.pop(shard))
        if place and cache is not None:
            place_kept(work, cache)
    return work


def begin_first(site_dir: Path, documents: Iterable[Document], plan: ShardPlan,
                cache: BuildCache, shards: Iterable[int], jobs: int) -> ShardWork:
    """Begin indexing ``shards`` (up to ``jobs`` of them) before the build knows all of its
    documents: ``documents`` are those of the pages built so far and, for the other pages, the
    documents the cache holds. ``prepare_shards`` takes a run over when its shard's documents
    turn out to be those (another page of the shard built again may have changed its own)."""
    work = ShardWork(site_dir, Path(tempfile.mkdtemp(prefix="omh-search-")))
    with _stopped_on_failure(work):
        wanted = sorted(set(shards))
        pages = _shard_pages(work, documents, plan, cache, set(wanted))
        for shard in wanted[:max(1, jobs)]:
            key = shard_key(((path, digest) for path, digest, _ in pages[shard]), cache.key)
            if cache.shard(key) is not None:
                continue
            folder = work.work / "first" / str(shard)
            _write_documents(folder, pages[shard])
            work.running[shard] = start_index(folder)
            work.begun[shard] = key
    return work


@contextlib.contextmanager
def _stopped_on_failure(work: ShardWork) -> Iterator[None]:
    """Stop ``work``'s runs and remove its documents if the block fails (a document that could
    not be written, with a ``SearchIndexError`` that says so)."""
    try:
        yield
    except OSError as exc:
        stop_shards(work)
        raise SearchIndexError(f"the search index's documents could not be written: {exc} "
                               "(build again, or with --no-cache)") from exc
    except BaseException:
        stop_shards(work)
        raise


def _shard_pages(work: ShardWork, documents: Iterable[Document], plan: ShardPlan,
                 cache: BuildCache | None,
                 shards: set[int] | None = None) -> dict[int, list[tuple[str, str, str]]]:
    """Each shard's documents (of ``shards`` only, if given): page path, SHA-256 of the
    document, its file (a document built now is written in ``work`` first)."""
    written = work.work / "documents"
    written.mkdir(exist_ok=True)
    pages: dict[int, list[tuple[str, str, str]]] = {
        shard: [] for shard in plan.shards if shards is None or shard in shards}
    for document in documents:
        shard = shard_of(document.path, plan.count)
        if shard not in pages:
            if shards is None or shard not in plan.shards:
                raise _unplanned(document.path)
            continue
        if document.html is not None:
            content = document.html.encode("utf-8")
            digest = hashlib.sha256(content).hexdigest()
            (written / digest).write_bytes(content)
            pages[shard].append((document.path, digest, str(written / digest)))
        else:
            assert cache is not None and document.blob is not None
            pages[shard].append((document.path, document.blob, cache.blob_file(document.blob)))
    if not all(pages.values()):
        raise _unplanned(None)
    return pages


def _write_documents(folder: Path, pages: list[tuple[str, str, str]]) -> None:
    """Put a shard's documents in ``folder``, each at its page's path, in path order: Pagefind
    numbers the pages in the order it finds their files, which is the order they were made in
    on some file systems."""
    place_files((source, str(document_file(folder, path)), True)
                for path, _, source in sorted(pages))


def place_kept(work: ShardWork, cache: BuildCache) -> None:
    """Put the shards taken from the cache in the site."""
    for files, bundle in work.to_place:
        _place(cache, files, bundle)
    work.to_place.clear()


def start_shards(work: ShardWork, jobs: int) -> None:
    """Begin indexing the shards left to index, in order, until ``jobs`` Pagefind runs are
    going (``index_shards`` waits for them and runs the rest): a run keeps about one core busy
    on its own, while the build goes on. Called again while the build goes on (for each page
    the plugin renders), it begins the next shards as runs end, so that the runs are not
    left to the end of the build, one pair after another, while the build waits."""
    going = sum(1 for run in work.running.values() if run.process.poll() is None)
    while work.pending and going < max(1, jobs):
        shard = work.pending.pop(0)
        work.running[shard] = start_index(work.work / str(shard))
        going += 1


def index_shards(work: ShardWork, cache: BuildCache | None,
                 jobs: int = 1) -> dict[str, ShardFiles]:
    """Index the shards ``prepare_shards`` left (or finish those ``start_shards`` began), into
    the site, ``jobs`` runs at a time; every shard of the build, by key, with its files as the
    cache keeps them (a shard some file of which could not be kept is left out: it is indexed
    again next time)."""
    shards = dict(work.placed)
    done = False
    try:
        for shard, key in work.stale:
            start_shards(work, jobs)
            bundle = work.site_dir / shard_folder(shard)
            finish_index(work.running.pop(shard), bundle)
            files = _kept(cache, bundle) if cache is not None else None
            if files is not None:
                shards[key] = files
        done = True
    finally:
        stop_shards(work, meanwhile=done)
    return shards


def stop_shards(work: ShardWork, meanwhile: bool = False) -> None:
    """End the runs still going (a build that failed) and remove the documents: with
    ``meanwhile`` (every run has ended), by a process of their own, which the build does not
    wait for (unlinking the 1,250 documents of a rebuild's shard took 0.1 s)."""
    for run in work.running.values():
        stop_index(run)
    work.running.clear()
    work.pending.clear()
    if meanwhile:
        remove_in_background(work.work)
    else:
        shutil.rmtree(work.work, ignore_errors=True)


def _unplanned(path: str | None) -> SearchIndexError:
    found = f"a document of {path}" if path else "no document for one of them"
    return SearchIndexError(f"the search page was told of other shards than the index has: "
                            f"{found} (every record page but a deleted record's is searched)")


def _clear_bundles(site_dir: Path, plan: ShardPlan) -> None:
    """Remove what is in the site's bundle folder but no shard of ``plan`` (``omh serve``
    builds into the same folder again)."""
    folder = site_dir / BUNDLE_FOLDER
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    if not folder.is_dir():
        return
    planned = {str(shard) for shard in plan.shards}
    for entry in folder.iterdir():
        if entry.name in planned and entry.is_dir() and not entry.is_symlink():
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _place(cache: BuildCache, files: ShardFiles, bundle: Path) -> None:
    """Put the shard's ``files`` at ``bundle``; a bundle there already (``omh serve``'s, or
    the site ``omh build`` starts from) keeps the files linked to the same blobs."""
    if bundle.is_dir() and not bundle.is_symlink():
        remove_stale(bundle, {path for path, _ in files})
    elif os.path.lexists(bundle):
        bundle.unlink()
    place_files(((cache.blob_file(blob), f"{bundle}/{path}", True) for path, blob in files),
                keep_same=True, identity=cache.identity)


def _kept(cache: BuildCache, bundle: Path) -> ShardFiles | None:
    files = []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        blob = cache.put_file(path)
        if blob is None:
            return None
        files.append((path.relative_to(bundle).as_posix(), blob))
    return tuple(files)
