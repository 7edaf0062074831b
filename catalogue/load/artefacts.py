"""Artefact pointers: parse them, keep local files inside their record's folder, and fetch remote
files into a content-addressed cache that verifies size and sha256 before anything reads them.

A pointer is ``path`` (a file inside the record's own folder) or ``url``: ``https://...`` or
``hf://<repo_id>@<revision>/<filename>`` (``hf://datasets/<repo_id>@...`` for a dataset repo),
resolved with huggingface_hub so that the Hub endpoint setting (``HF_ENDPOINT``) and its
authentication apply. Plain ``http://`` is accepted for loopback hosts only (a local mirror, the
tests' server): the bytes are checked by sha256 anyway, but a public URL must be https.

Every download is bounded: in wall time (``artefacts.timeout_seconds``, for the whole download,
however slowly a server sends), in bytes (``size_bytes``, itself under
``artefacts.max_download_bytes``) and in memory (fixed-size blocks; a Hub download runs in a child
process with limits on what it may write and allocate, killed when its time is up). A redirect
anywhere but https is an error of the pointer (``catalogue.load.http_download``).

The cache holds one file per sha256 (``<cache>/sha256/<2 hex>/<64 hex>``), written only after
the bytes matched the record; every use hashes the file again. In offline mode the resolver
reads the cache and never opens a connection. Nothing here loads a file: pickle-based
artefacts are hashed like any other file, never unpickled.

``omh validate`` checks every local artefact (inside the folder, size, sha256) and remote ones
only when they are already in the cache; downloading is for ``omh parity --fetch``.
"""


from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from catalogue import __version__
from catalogue.load.cache_dir import cache_location
from catalogue.load.file_digests import sha256_of
from catalogue.load.safe_write import SymlinkRefused, check_no_symlink
from catalogue.model.pointers import (
    ArtefactError,
    ArtefactUnavailable,
    HfLocation,
    Pointer,
    check_relative_path,
    human_bytes,
    parse_url,
)
from catalogue.model.settings import (
    DEFAULT_MAX_DOWNLOAD_BYTES,
    DEFAULT_TIMEOUT_SECONDS,
    ArtefactSettings,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

CHUNK = 1024 * 1024


def local_file(folder: Path, relative: str) -> Path:
    """The file ``relative`` inside ``folder``; refuses anything that ends up outside it,
    symlinks included, and anything that is not a regular file."""
    name = check_relative_path(relative)
    base = folder.resolve()
    candidate = base / name
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop, a folder we may not read
        raise ArtefactError("artefact-path", f"path '{relative}' cannot be resolved: {exc}") \
            from None
    if not resolved.is_relative_to(base):
        raise ArtefactError("artefact-path", f"path '{relative}' is a symlink to {resolved}, "
                            "outside the record's folder; copy the file into the folder or "
                            "publish it under a url")
    if not candidate.exists():
        raise ArtefactError("artefact-missing", f"path '{relative}': no such file in the "
                            "record's folder; add the file or fix the path")
    if not resolved.is_file():
        raise ArtefactError("artefact-path", f"path '{relative}' is not a regular file")
    return resolved


_DIGESTS: dict[tuple[str, int, int, int], str] = {}


def sha256_file(path: Path) -> str:
    """The file's sha256, remembered per (path, inode, size, mtime) within one process."""
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = sha256_of(path)
    return _DIGESTS[key]


def verify_file(path: Path, pointer: Pointer) -> None:
    """Raise ``ArtefactError`` unless the file has the pointer's size and sha256."""
    size = path.stat().st_size
    if size != pointer.size_bytes:
        raise ArtefactError("artefact-size", f"{pointer.target}: the file is {size:,} bytes but "
                            f"size_bytes says {pointer.size_bytes:,}; if the file is right, "
                            f"write size_bytes: {size} and its sha256")
    digest = sha256_file(path)
    if digest != pointer.sha256:
        raise ArtefactError("artefact-checksum", f"{pointer.target}: sha256 of the file is "
                            f"{digest} but the record says {pointer.sha256}; a published file "
                            "never changes in place: publish a new version, or fix the checksum "
                            "if the record was wrong")


# -- the resolver --------------------------------------------------------------------------


class Resolver:
    """Turns pointers into verified local files. ``offline`` resolvers only read the cache."""

    def __init__(self, cache_dir: Path, *, offline: bool = True,
                 max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
                 timeout: float = DEFAULT_TIMEOUT_SECONDS, hf_endpoint: str | None = None) -> None:
        self.cache_dir = cache_dir
        self.offline = offline
        self.max_download_bytes = max_download_bytes
        self.timeout = timeout
        self.hf_endpoint = hf_endpoint
        self.within: Path | None = None
        """The catalogue root when the cache is inside it: no folder on the way may be a
        symlink (a committed one would make downloads land outside the repository)."""

    @classmethod
    def from_settings(cls, root: Path, settings: ArtefactSettings, *,
                      offline: bool = True) -> Resolver:
        """The resolver ``catalogue.yaml``'s ``artefacts`` section describes; the cache folder
        is relative to ``root``, and ``OMH_CACHE_DIR`` overrides it."""
        cache_dir, within = cache_location(root, settings)
        resolver = cls(cache_dir, offline=offline,
                       max_download_bytes=settings.max_download_bytes,
                       timeout=settings.timeout_seconds)
        resolver.within = within
        return resolver

    # -- cache -------------------------------------------------------------------------------
    def cache_path(self, sha256: str) -> Path:
        return self.cache_dir / "sha256" / sha256[:2] / sha256

    def cached(self, pointer: Pointer) -> Path | None:
        """The verified cached copy, or ``None``. A cached file whose bytes no longer match its
        name can only be a damaged cache entry: it is removed."""
        path = self.cache_path(pointer.sha256)
        try:
            if not path.is_file():
                return None
            if sha256_file(path) != pointer.sha256:
                with contextlib.suppress(OSError):
                    path.unlink()
                return None
        except OSError:
            return None  # an unreadable cache is no cache
        verify_file(path, pointer)  # the right bytes, but is size_bytes right?
        return path

    def _store(self, staged: Path, pointer: Pointer) -> Path:
        try:
            verify_file(staged, pointer)
        except ArtefactError as exc:
            raise ArtefactError(exc.rule, f"downloaded {exc.message}") from None
        target = self.cache_path(pointer.sha256)
        try:
            check_no_symlink(target, self.within or self.cache_dir)
        except SymlinkRefused as exc:
            raise ArtefactUnavailable("artefact-cache", f"the cache cannot be written: {exc}") \
                from None
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        return target

    def _staging(self) -> Path:
        folder = self.cache_dir / "tmp"
        try:
            check_no_symlink(folder, self.within or folder.parent)
        except SymlinkRefused as exc:
            raise ArtefactUnavailable("artefact-cache", f"the cache cannot be written: {exc}") \
                from None
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # -- resolving ---------------------------------------------------------------------------
    def resolve(self, folder: Path, pointer: Pointer) -> Path:
        """A local file with the pointer's bytes. Raises ``ArtefactError`` when the pointer is
        wrong and ``ArtefactUnavailable`` when the file cannot be had right now."""
        if pointer.is_local:
            path = local_file(folder, pointer.target)
            try:
                verify_file(path, pointer)
            except OSError as exc:
                raise ArtefactError("artefact-missing", f"path '{pointer.target}' cannot be "
                                    f"read: {exc.strerror or exc}") from None
            return path
        hit = self.cached(pointer)
        if hit is not None:
            return hit
        if self.offline:
            raise ArtefactUnavailable("artefact-not-cached", f"{pointer.target} is not in the "
                                      f"cache ({self.cache_dir}); fetch it with omh parity --fetch")
        if pointer.size_bytes > self.max_download_bytes:
            raise ArtefactUnavailable(
                "artefact-too-large", f"{pointer.target} is {human_bytes(pointer.size_bytes)}, "
                f"over the download limit of {human_bytes(self.max_download_bytes)} "
                "(artefacts.max_download_bytes in catalogue.yaml); not fetched")
        if pointer.hf is not None:
            return self._fetch_hf(pointer, pointer.hf)
        return self._fetch_url(pointer)

    def _fetch_url(self, pointer: Pointer) -> Path:
        # imported here: http.client and ssl are for downloads, not for the pre-commit hook
        from catalogue.load.http_download import DownloadFailed, DownloadRefused, Limits, download

        parse_url(pointer.target)  # refuse what the parser refuses, whoever built the pointer
        handle, name = tempfile.mkstemp(dir=self._staging(), suffix=".part")
        staged = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                download(pointer.target, out, Limits(self.timeout, pointer.size_bytes),
                         {"User-Agent": f"omh/{__version__}", "Accept-Encoding": "identity"})
            return self._store(staged, pointer)
        except DownloadRefused as exc:
            raise ArtefactError(exc.rule, exc.message) from None
        except DownloadFailed as exc:
            raise _http_problem(pointer.target, exc.status, exc.message) from None
        finally:
            staged.unlink(missing_ok=True)

    def _fetch_hf(self, pointer: Pointer, location: HfLocation) -> Path:
        """Download a Hub file with huggingface_hub, in a child process: the library cannot be
        interrupted, so the child is killed when the time is up, and its limits bound what it
        may write (the file's size) and the memory it may use."""
        import multiprocessing  # here only: checking a catalogue never starts a child

        # Read at call time (huggingface_hub reads HF_ENDPOINT once, at import).
        endpoint = self.hf_endpoint or os.environ.get("HF_ENDPOINT") or None
        staging = Path(tempfile.mkdtemp(dir=self._staging(), prefix="hf-"))
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        job = _HubJob(pointer.target, location, endpoint, self.timeout, str(staging),
                      pointer.size_bytes)
        child = context.Process(target=_hub_child, args=(sender, job), daemon=True)
        try:
            child.start()
            sender.close()
            answer = (receiver.recv() if receiver.poll(self.timeout + CHILD_START_SECONDS)
                      else None)
        except EOFError:  # the child died without answering
            answer = None
        finally:
            if child.is_alive():
                child.kill()
            child.join(CHILD_START_SECONDS)
            receiver.close()
        try:
            if answer is None:
                raise _child_failure(pointer, child.exitcode, self.timeout)
            if answer[0] == "error":
                _, rule, message, unavailable = answer
                raise (ArtefactUnavailable if unavailable else ArtefactError)(rule, message)
            return self._store(Path(answer[1]), pointer)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


CHILD_START_SECONDS = 5.0
"""What a child process may take beyond the download's time limit to start Python."""
CHILD_MEMORY_BYTES = 2 * 1024**3
"""Address space of the child that downloads a Hub file (Python, huggingface_hub, buffers)."""
_WRITE_SLACK = 1024**2
"""What the child may write beyond the file (huggingface_hub's small metadata files)."""


class _HubJob(NamedTuple):
    where: str
    location: HfLocation
    endpoint: str | None
    timeout: float
    staging: str
    size_bytes: int


def _child_failure(pointer: Pointer, exitcode: int | None, timeout: float) -> ArtefactError:
    if exitcode is None or exitcode == -signal.SIGKILL:
        return ArtefactUnavailable("artefact-unreachable", f"{pointer.target} could not be "
                                   f"fetched in {timeout:g} s (artefacts.timeout_seconds in "
                                   "catalogue.yaml)")
    if exitcode == -signal.SIGXFSZ:
        return ArtefactError("artefact-size", f"{pointer.target}: the server sent more than the "
                             f"{pointer.size_bytes:,} bytes size_bytes says; download stopped")
    return ArtefactUnavailable("artefact-unreachable", f"{pointer.target} could not be fetched: "
                               f"the download stopped (exit status {exitcode})")


def _hub_child(sender: Connection, job: _HubJob) -> None:
    """The child process: set its limits, download, and answer ``("ok", path)`` or
    ``("error", rule, message, unavailable)``."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (job.size_bytes + _WRITE_SLACK,) * 2)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES,) * 2)
    try:
        sender.send(("ok", str(_hub_download(job))))
    except ArtefactError as exc:
        sender.send(("error", exc.rule, exc.message, isinstance(exc, ArtefactUnavailable)))
    finally:
        sender.close()


def _hub_download(job: _HubJob) -> Path:
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )
    from huggingface_hub.utils.tqdm import disable_progress_bars

    disable_progress_bars()
    location, where, endpoint = job.location, job.where, job.endpoint
    try:
        url = hf_hub_url(location.repo_id, location.filename, repo_type=location.repo_type,
                         revision=location.revision, endpoint=endpoint)
        metadata = get_hf_file_metadata(url, timeout=job.timeout, endpoint=endpoint)
        if location.pinned_to_commit and metadata.commit_hash not in (None, location.revision):
            raise ArtefactError("artefact-url", f"{where}: the Hub resolves revision "
                                f"{location.revision} to commit {metadata.commit_hash}")
        if metadata.size is not None and metadata.size != job.size_bytes:
            raise ArtefactError("artefact-size", f"{where}: the server announces "
                                f"{metadata.size:,} bytes but size_bytes says "
                                f"{job.size_bytes:,}; not downloaded")
        return Path(hf_hub_download(
            location.repo_id, location.filename, repo_type=location.repo_type,
            revision=location.revision, endpoint=endpoint, local_dir=job.staging,
            etag_timeout=job.timeout))
    except ArtefactError:
        raise
    except GatedRepoError:
        raise ArtefactUnavailable("artefact-unreachable", f"{where}: the repository is "
                                  "gated; log in with access to fetch it") from None
    except (RepositoryNotFoundError, RevisionNotFoundError, RemoteEntryNotFoundError) as exc:
        what = ("repository" if isinstance(exc, RepositoryNotFoundError) else "revision"
                if isinstance(exc, RevisionNotFoundError) else "file")
        raise ArtefactError("artefact-url", f"{where}: the Hub has no such {what} "
                            f"({location.repo_id}@{location.revision}/"
                            f"{location.filename})") from None
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        raise _http_problem(where, status, _first_line(exc)) from None
    except Exception as exc:  # any other failure of the transport means "not here now"
        raise ArtefactUnavailable("artefact-unreachable", f"{where} could not be fetched: "
                                  f"{_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _http_problem(target: str, status: int, reason: object) -> ArtefactError:
    if status in (404, 410):
        return ArtefactError("artefact-url", f"{target}: the server answers {status} ({reason}): "
                             "the file is not there; fix the url")
    if not status:
        return ArtefactUnavailable("artefact-unreachable", f"{target} could not be fetched: "
                                   f"{reason}")
    return ArtefactUnavailable("artefact-unreachable", f"{target} could not be fetched: HTTP "
                               f"{status} ({reason})")


# -- the check -----------------------------------------------------------------------------
