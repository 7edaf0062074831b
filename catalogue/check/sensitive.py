"""No credentials (tokens, keys, passwords) or private paths (``/home/alice``) in a record, its
card, or the text files it ships: a package must run without them, on any machine."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from pathlib import Path

from catalogue.load.artefacts import local_file
from catalogue.model.findings import Finding, Location, error, warning
from catalogue.model.kinds import CARD_FILE, RECORD_FILE
from catalogue.model.pointers import ArtefactError, usable_pointers
from catalogue.model.records import Record

TEXT_SUFFIXES = frozenset({".py", ".txt", ".md", ".json", ".yaml", ".yml", ".cfg", ".toml",
                           ".ini", ".sh", ".ipynb", ".r", ".jl"})
MAX_SCANNED_BYTES = 1_048_576

_PLACEHOLDER = re.compile(r"^(?:<[^>]*>|\$\{?\w+\}?|x{4,}|\*{3,}|\.{3,}|your[-_].*|"
                          r"(?:example|placeholder|changeme|redacted|dummy)\w*)$", re.IGNORECASE)
# Each pattern starts with a literal, which lets the regex engine skip ahead quickly; the word
# boundary before it is checked in scan_text.
CREDENTIALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("a Hugging Face token", re.compile(r"hf_[A-Za-z0-9]{30,}\b")),
    ("a GitHub token", re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}")),
    ("an AWS access key id", re.compile(r"(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Google API key", re.compile(r"AIza[0-9A-Za-z_-]{35}\b")),
    ("an OpenAI-style secret key", re.compile(r"sk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{32,}")),
    ("a Slack token", re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a JSON web token", re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[\w-]{10,}")),
    ("a password in a URL", re.compile(r"://[^/\s:@]+:[^/\s@]+@[^\s/]+")),
)
_SECRET_WORDS = ("key", "secret", "token", "passw")
_ASSIGNED_SECRET = re.compile(
    r"(?i)\b(?:api[_-]?key|access[_-]?key|secret(?:[_-]?key)?|auth[_-]?token|access[_-]?token|"
    r"token|password|passwd|client[_-]?secret)\b[\"']?[ \t]*[:=][ \t]*[\"']?([^\s\"'`,;]{12,})")
PRIVATE_PATHS = re.compile(
    r"(?<![\w/.-])(?:/home/[^/\s`'\"]+|/Users/[^/\s`'\"]+|"
    r"[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s`'\"]+)")


def _looks_secret(value: str) -> bool:
    if _PLACEHOLDER.match(value) or value.startswith(("os.environ", "getenv", "env.", "$")):
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 2 and len(set(value)) >= 8


def scan_text(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(line, column, severity, what) for every credential or private path in ``text``."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    specific: set[int] = set()
    for what, pattern in CREDENTIALS:
        for match in pattern.finditer(text):
            start = match.start()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_") and \
                    not match.group(0).startswith("://"):
                continue
            line, column = where(start)
            specific.add(line)
            yield line, column, "error", what
    lowered = text.lower()
    if any(word in lowered for word in _SECRET_WORDS):
        for match in _ASSIGNED_SECRET.finditer(text):
            line, column = where(match.start())
            if line not in specific and _looks_secret(match.group(1)):
                yield line, column, "error", "a secret assigned to a key or token"
    if any(marker in text for marker in ("/home/", "/Users/", "Users\\")):
        for match in PRIVATE_PATHS.finditer(text):
            line, column = where(match.start())
            yield line, column, "warning", f"a private path ({match.group(0)}...)"


def _read_small(name: str, path: Path) -> Iterator[tuple[str, str]]:
    try:
        if path.stat().st_size <= MAX_SCANNED_BYTES:
            yield name, path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # left to the checks that read the file


def _scanned_texts(record: Record) -> Iterator[tuple[str, str]]:
    """(name, text) of the record, its card and the text files it ships, each up to
    ``MAX_SCANNED_BYTES``."""
    yield from _read_small(RECORD_FILE, record.folder / RECORD_FILE)
    card = record.card
    if card is not None and card.readable and card.size_bytes <= MAX_SCANNED_BYTES:
        yield CARD_FILE, card.text
    for pointer in usable_pointers(record):
        if pointer.is_local and pointer.suffix in TEXT_SUFFIXES and pointer.name not in (
                RECORD_FILE, CARD_FILE):
            try:
                path = local_file(record.folder, pointer.target)
            except ArtefactError:
                continue
            yield from _read_small(pointer.name, path)


def check_sensitive_content(record: Record) -> Iterator[Finding]:
    """No credentials (tokens, keys) or private paths in the record, its card, or the text
    files it ships: a package must run without them."""
    for name, text in _scanned_texts(record):
        seen: set[tuple[int, str]] = set()
        for line, column, severity, what in scan_text(text):
            if (line, what) in seen:
                continue
            seen.add((line, what))
            where = Location(f"{record.id}/{name}", line, column)
            if severity == "error":
                yield error("credentials", f"{name} contains what looks like {what}; remove it "
                            "(and revoke it: it is in the Git history) and read secrets from the"
                            " environment", where, record.id)
            else:
                yield warning("private-path", f"{name} contains {what}; a package must not "
                              "depend on one machine: use a path relative to the package",
                              where, record.id)
