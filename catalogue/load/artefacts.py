"""Artefact pointers: parse them, keep local files inside their record's folder, and fetch remote
files into a content-addressed cache that verifies size and sha256 before anything reads them.

A pointer is ``path`` (a file inside the record's own folder) or ``url``: ``https://...`` or
``hf://<repo_id>@<revision>/<filename>`` (``hf://datasets/<repo_id>@...`` for a dataset repo),
resolved with huggingface_hub so that the Hub endpoint setting (``HF_ENDPOINT``) and its
authentication apply. Plain ``http://`` is accepted for loopback hosts only (a local mirror, the
tests' server): the bytes are checked by sha256 anyway, but a public URL must be https.

The cache holds one file per sha256 (``<cache>/sha256/<2 hex>/<64 hex>``), written only after
the bytes matched the record; every use hashes the file again. In offline mode the resolver
reads the cache and never opens a connection. Nothing here loads a file: pickle-based
artefacts are hashed like any other file, never unpickled.

``omh validate`` checks every local artefact (inside the folder, size, sha256) and remote ones
only when they are already in the cache; downloading is for ``omh parity --fetch``.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import ipaddress
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from catalogue import __version__
from catalogue.check.context import CheckContext
from catalogue.model.findings import Finding, error, warning
from catalogue.model.records import Record
from catalogue.model.yaml_source import FieldPath, format_path

CACHE_ENV = "OMH_CACHE_DIR"
DEFAULT_CACHE_DIR = ".omh-cache"
DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024**3
DEFAULT_TIMEOUT_SECONDS = 60.0
CHUNK = 1024 * 1024

LOOPBACK_HOSTS = frozenset({"localhost"})
COMMIT = re.compile(r"^[0-9a-f]{40}$")
HF_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$")
HF_REPO_TYPES = {"datasets": "dataset", "spaces": "space"}
# Where artefact pointers sit in records of any kind.
POINTER_FIELDS: tuple[tuple[str, ...], ...] = (("artefacts", "*"), ("checkpoints", "*", "artefact"))


class ArtefactError(Exception):
    """A pointer that is wrong: unsafe path, unknown scheme, wrong size or checksum."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


class ArtefactUnavailable(ArtefactError):
    """A pointer that may be right but whose file is not here: offline and not cached, the
    server cannot be reached or refuses access, or the file is over the download limit."""


class HfLocation(NamedTuple):
    repo_id: str
    repo_type: str | None
    revision: str
    filename: str

    @property
    def pinned_to_commit(self) -> bool:
        return bool(COMMIT.match(self.revision))


@dataclass(frozen=True)
class Pointer:
    """One artefact entry of a record, parsed."""

    field: FieldPath
    """Where the entry is in the record, e.g. ``("artefacts", 0)``."""
    scheme: str
    """``path``, ``https``, ``http`` (loopback only) or ``hf``."""
    target: str
    """The path or URL as written."""
    name: str
    """The file's name inside its package: the path, or the URL's path (for an ``hf://``
    pointer, the file name in the repository). Sample layouts and ONNX external data are
    matched on it."""
    sha256: str
    size_bytes: int
    media_type: str
    role: str
    hf: HfLocation | None = None

    @property
    def is_local(self) -> bool:
        return self.scheme == "path"

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    @property
    def where(self) -> str:
        return f"{format_path(self.field)} ({self.target})"


# -- parsing -------------------------------------------------------------------------------


def parse_pointer(entry: Any, field: FieldPath) -> Pointer | None:
    """The pointer in ``entry``, or ``None`` when the entry is malformed in a way the schema
    check already reports (missing checksum, wrong type). Raises ``ArtefactError`` for a
    pointer the schema accepts but that cannot be used (unsafe path, unknown scheme)."""
    if not isinstance(entry, dict):
        return None
    sha256, size = entry.get("sha256"), entry.get("size_bytes")
    if not (isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256)):
        return None
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return None
    media_type = str(entry.get("media_type") or "")
    role = str(entry.get("role") or "")
    path, url = entry.get("path"), entry.get("url")
    if isinstance(path, str) and url is None:
        name = check_relative_path(path)
        return Pointer(field, "path", path, name, sha256, size, media_type, role)
    if isinstance(url, str) and path is None:
        scheme, name, hf = parse_url(url)
        return Pointer(field, scheme, url, name, sha256, size, media_type, role, hf)
    return None


def check_relative_path(path: str) -> str:
    """``path`` as a normalised POSIX path inside the record's folder, or ``ArtefactError``."""
    expected = "a path relative to the record's folder, e.g. model.onnx or samples/input.npz"
    if "\\" in path:
        raise ArtefactError("artefact-path", f"path '{path}' uses backslashes; expected {expected}"
                            " with forward slashes")
    if path.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", path):
        raise ArtefactError("artefact-path", f"path '{path}' is absolute; expected {expected}")
    parts = [p for p in PurePosixPath(path).parts if p != "."]
    if ".." in parts:
        raise ArtefactError("artefact-path", f"path '{path}' leaves the record's folder ('..'); "
                            f"expected {expected}")
    if not parts:
        raise ArtefactError("artefact-path", f"path '{path}' names no file; expected {expected}")
    return "/".join(parts)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_url(url: str) -> tuple[str, str, HfLocation | None]:
    """``(scheme, name in the package, hf location)`` for a URL pointer, or ``ArtefactError``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:  # e.g. a malformed [IPv6] host or port
        raise ArtefactError("artefact-url", f"url '{url}' is malformed: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme == "hf":
        location = parse_hf_url(url)
        return "hf", location.filename, location
    if scheme not in ("https", "http"):
        raise ArtefactError("artefact-url", f"url '{url}': unknown scheme '{scheme}:'; expected "
                            "https://... or hf://<repo_id>@<revision>/<filename>")
    if not host:
        raise ArtefactError("artefact-url", f"url '{url}' has no host; expected https://host/...")
    if parts.username or parts.password:
        raise ArtefactError("artefact-url", f"url '{url}' carries a user name or password; "
                            "publish a URL that needs no credentials")
    if scheme == "http" and not is_loopback(host):
        raise ArtefactError("artefact-url", f"url '{url}' uses http; expected https:// (plain "
                            "http is accepted only for a mirror on this machine)")
    name = unquote(parts.path).strip("/")
    if not name or name.endswith("/"):
        raise ArtefactError("artefact-url", f"url '{url}' names no file")
    return scheme, name, None


def parse_hf_url(url: str) -> HfLocation:
    expected = ("expected hf://<owner>/<repo>@<revision>/<filename>, with the revision pinned "
                "(a commit hash, or a tag)")
    rest = url[len("hf://"):]
    repo_type: str | None = None
    prefix, _, remainder = rest.partition("/")
    if prefix in HF_REPO_TYPES and "@" in remainder:
        repo_type, rest = HF_REPO_TYPES[prefix], remainder
    repo_id, at, after = rest.partition("@")
    if not at:
        raise ArtefactError("artefact-url", f"url '{url}' has no '@<revision>': a Hub file must "
                            f"name the revision it was checked against; {expected}")
    revision, slash, filename = after.partition("/")
    if not HF_REPO_ID.match(repo_id):
        raise ArtefactError("artefact-url", f"url '{url}': '{repo_id}' is not a Hub repository "
                            f"id; {expected}")
    if not revision or not slash or not filename or filename.endswith("/"):
        raise ArtefactError("artefact-url", f"url '{url}' names no revision or file; {expected}")
    if ".." in filename.split("/"):
        raise ArtefactError("artefact-url", f"url '{url}': the file name contains '..'")
    return HfLocation(repo_id, repo_type, unquote(revision), unquote(filename))


def record_pointers(record: Record) -> Iterator[tuple[FieldPath, Pointer | None,
                                                      ArtefactError | None]]:
    """Every artefact entry of ``record``: its place, the pointer, or why it is unusable."""
    for pattern in POINTER_FIELDS:
        for field, entry in record.values_at(pattern):
            try:
                yield field, parse_pointer(entry, field), None
            except ArtefactError as exc:
                yield field, None, exc


def usable_pointers(record: Record) -> list[Pointer]:
    return [p for _, p, problem in record_pointers(record) if p is not None and problem is None]


# -- local files ---------------------------------------------------------------------------


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
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
        _DIGESTS[key] = digest.hexdigest()
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


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to https (or to http on loopback, like the original)."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        target = urlsplit(newurl)
        if target.scheme != "https" and not (target.scheme == "http"
                                             and is_loopback(target.hostname)):
            raise ArtefactError("artefact-url", f"{req.full_url} redirects to {newurl}; only "
                                "https redirects are followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def human_bytes(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


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

    @classmethod
    def from_settings(cls, root: Path, raw_settings: dict[str, Any], *,
                      offline: bool = True) -> Resolver:
        """``artefacts`` in catalogue.yaml: cache_dir (relative to the root),
        max_download_bytes, timeout_seconds; ``OMH_CACHE_DIR`` overrides the cache folder."""
        options = raw_settings.get("artefacts")
        options = options if isinstance(options, dict) else {}
        env_dir = os.environ.get(CACHE_ENV)
        cache_dir = Path(env_dir) if env_dir else root / str(options.get("cache_dir",
                                                                         DEFAULT_CACHE_DIR))
        return cls(cache_dir, offline=offline,
                   max_download_bytes=int(options.get("max_download_bytes",
                                                      DEFAULT_MAX_DOWNLOAD_BYTES)),
                   timeout=float(options.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS)))

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
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        return target

    def _staging(self) -> Path:
        folder = self.cache_dir / "tmp"
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
        parse_url(pointer.target)  # refuse what the parser refuses, whoever built the pointer
        request = urllib.request.Request(pointer.target, headers={
            "User-Agent": f"omh/{__version__}", "Accept-Encoding": "identity"})
        opener = urllib.request.build_opener(_SafeRedirects())
        handle, name = tempfile.mkstemp(dir=self._staging(), suffix=".part")
        staged = Path(name)
        try:
            with os.fdopen(handle, "wb") as out, opener.open(request,
                                                             timeout=self.timeout) as response:
                self._check_announced_size(pointer, response.headers.get("Content-Length"))
                self._copy_limited(response, out, pointer)
            return self._store(staged, pointer)
        except urllib.error.HTTPError as exc:
            raise _http_problem(pointer.target, exc.code, exc.reason) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError,
                http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise ArtefactUnavailable("artefact-unreachable", f"{pointer.target} could not be "
                                      f"fetched: {reason}") from None
        finally:
            staged.unlink(missing_ok=True)

    def _check_announced_size(self, pointer: Pointer, announced: str | None) -> None:
        if announced is not None and announced.isdigit() and int(announced) != pointer.size_bytes:
            raise ArtefactError("artefact-size", f"{pointer.target}: the server announces "
                                f"{int(announced):,} bytes but size_bytes says "
                                f"{pointer.size_bytes:,}; not downloaded")

    def _copy_limited(self, source: Any, out: Any, pointer: Pointer) -> None:
        """Copy at most ``size_bytes`` (itself under the limit): a server that sends more is
        cut off instead of filling the disk."""
        total = 0
        while block := source.read(CHUNK):
            total += len(block)
            if total > pointer.size_bytes:
                raise ArtefactError("artefact-size", f"{pointer.target}: the server sent more "
                                    f"than the {pointer.size_bytes:,} bytes size_bytes says; "
                                    "download stopped")
            out.write(block)

    def _fetch_hf(self, pointer: Pointer, location: HfLocation) -> Path:
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
        # Read at call time (huggingface_hub reads HF_ENDPOINT once, at import).
        endpoint = self.hf_endpoint or os.environ.get("HF_ENDPOINT") or None
        where = pointer.target
        staging = Path(tempfile.mkdtemp(dir=self._staging(), prefix="hf-"))
        try:
            url = hf_hub_url(location.repo_id, location.filename, repo_type=location.repo_type,
                             revision=location.revision, endpoint=endpoint)
            metadata = get_hf_file_metadata(url, timeout=self.timeout, endpoint=endpoint)
            if location.pinned_to_commit and metadata.commit_hash not in (None,
                                                                          location.revision):
                raise ArtefactError("artefact-url", f"{where}: the Hub resolves revision "
                                    f"{location.revision} to commit {metadata.commit_hash}")
            if metadata.size is not None:
                self._check_announced_size(pointer, str(metadata.size))
            downloaded = Path(hf_hub_download(
                location.repo_id, location.filename, repo_type=location.repo_type,
                revision=location.revision, endpoint=endpoint, local_dir=staging,
                etag_timeout=self.timeout))
            return self._store(downloaded, pointer)
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
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _http_problem(target: str, status: int, reason: object) -> ArtefactError:
    if status in (404, 410):
        return ArtefactError("artefact-url", f"{target}: the server answers {status} ({reason}): "
                             "the file is not there; fix the url")
    return ArtefactUnavailable("artefact-unreachable", f"{target} could not be fetched: HTTP "
                               f"{status} ({reason})")


# -- the check -----------------------------------------------------------------------------


def pointer_finding(record: Record, field: FieldPath, problem: ArtefactError) -> Finding:
    """The one finding for a pointer problem, so that two checks meeting the same problem
    report it identically (and the report shows it once)."""
    make = warning if isinstance(problem, ArtefactUnavailable) else error
    name = format_path(field)
    return make(problem.rule, f"field '{name}': {problem.message}", record.location(field),
                record.id, name)


def check_record_artefacts(record: Record, resolver: Resolver) -> Iterator[Finding]:
    """Local artefacts are inside the folder with the stated size and sha256; remote ones have
    a usable URL and, when in the cache, the stated bytes. Nothing is downloaded unless the
    resolver is online."""
    if record.status == "deleted":
        return  # a deleted record's files are gone by design (the lifecycle rule checks it)
    for field, pointer, problem in record_pointers(record):
        if problem is not None:
            yield pointer_finding(record, field, problem)
            continue
        if pointer is None:
            continue
        if pointer.hf is not None and not pointer.hf.pinned_to_commit:
            yield warning("artefact-url", f"field '{format_path(field)}': revision "
                          f"'{pointer.hf.revision}' is a branch or tag, which can move; pin the "
                          "commit hash the checksum was taken from", record.location(field),
                          record.id, format_path(field))
        try:
            resolver.resolve(record.folder, pointer)
        except ArtefactUnavailable:
            continue  # not a defect of the record; omh parity reports what it could not fetch
        except ArtefactError as exc:
            yield pointer_finding(record, field, exc)


def check_artefacts(context: CheckContext) -> Iterable[Finding]:
    resolver = Resolver.from_settings(context.store.root, context.store.settings.raw)
    for record in context.records:
        yield from check_record_artefacts(record, resolver)
