"""Artefact pointers: what a record says about a file (``path`` inside its folder, or ``url``:
``https://...`` or ``hf://<repo_id>@<revision>/<filename>``), parsed and checked for shape, with
no I/O. Fetching and verifying the bytes is the load stage's job (``catalogue.load.artefacts``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from catalogue.model.findings import clip
from catalogue.model.ids import is_commit, is_hf_repo_id
from catalogue.model.records import Record
from catalogue.model.yaml_source import FieldPath, format_path

LOOPBACK_HOSTS = frozenset({"localhost"})
HF_REPO_TYPES = {"datasets": "dataset", "spaces": "space"}
EXAMPLE_DOMAINS = ("example", "invalid", "test", "example.com", "example.net", "example.org")
"""Domains reserved for documentation and examples (RFC 2606, RFC 6761): they resolve nowhere."""
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
        return is_commit(self.revision)


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
    def is_example(self) -> bool:
        """A URL on a domain reserved for examples (``data.lab.example``): the file of an
        illustrative record, described but not shipped; nothing can fetch it."""
        return self.scheme in ("https", "http") and is_example_url(self.target)

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    @property
    def where(self) -> str:
        return f"{format_path(self.field)} ({self.target})"


# -- parsing -------------------------------------------------------------------------------


def is_example_url(url: str) -> bool:
    """Whether ``url``'s host is on a domain reserved for examples (``EXAMPLE_DOMAINS``)."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    return any(host == domain or host.endswith("." + domain) for domain in EXAMPLE_DOMAINS)


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
    _check_decoded_name(url, name)
    return scheme, name, None


def _check_decoded_name(url: str, name: str) -> None:
    """Refuse a file name that, once percent-decoded (``%2e%2e``, ``..%2f``), climbs out of its
    folder or holds characters no file name needs: every check runs on the decoded text."""
    segments = name.split("/")
    if any(s in ("", ".", "..") for s in segments) or "\\" in name \
            or any(ord(c) < 0x20 or c == "\x7f" for c in name):
        raise ArtefactError("artefact-url", f"url {clip(url)}: the file name {clip(name)} "
                            "(percent-decoded) has '..', '.', an empty segment, a backslash or a "
                            "control character; expected a plain path such as onnx/model.onnx")


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
    quoted_revision, slash, quoted_filename = after.partition("/")
    revision, filename = unquote(quoted_revision), unquote(quoted_filename)
    if not is_hf_repo_id(repo_id):
        raise ArtefactError("artefact-url", f"url '{url}': '{repo_id}' is not a Hub repository "
                            f"id; {expected}")
    if not revision or not slash or not filename or filename.endswith("/"):
        raise ArtefactError("artefact-url", f"url '{url}' names no revision or file; {expected}")
    if ".." in revision.split("/") or any(ord(c) < 0x21 or c in "\\?#" for c in revision):
        raise ArtefactError("artefact-url", f"url {clip(url)}: the revision {clip(revision)} "
                            f"(percent-decoded) is not a commit, tag or branch name; {expected}")
    _check_decoded_name(url, filename)
    return HfLocation(repo_id, repo_type, revision, filename)


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



def human_bytes(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


