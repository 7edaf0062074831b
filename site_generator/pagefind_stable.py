"""Make Pagefind's output the same on every build of the same pages.

Pagefind 1.5 writes its word index and page fragments deterministically, but not its filter
index: the values of each filter, and the filters and sorts listed in the index's metadata,
come out in the order of a hash map seeded at random on each run (a known ``TODO`` in Pagefind's
``build_indexes``). The files are named after their content, so two builds would differ.

This module puts that output in a canonical order: each filter chunk's values sorted by value,
the metadata's filters and sorts sorted by name, and the files renamed after a SHA-256 of their
new content (the metadata's references and ``pagefind-entry.json`` updated to match). Pagefind's
search reads them into maps, so the order carries no meaning. Each file is decoded and encoded
again by a small CBOR codec; a file the codec would not reproduce byte for byte is left alone.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"
FILTER_HASH_LENGTH = 7
META_HASH_LENGTH = 10


class NotCanonical(Exception):
    """The output is not laid out as this module expects (another Pagefind version)."""


@dataclass(frozen=True)
class Raw:
    """A CBOR item kept as its bytes (floats, tags, simple values)."""

    data: bytes


# -- a CBOR codec for what Pagefind writes: integers, strings, arrays, maps -------------------

def _head(data: bytes, at: int) -> tuple[int, int, int]:
    """(major type, argument, position after the head)."""
    if at >= len(data):
        raise NotCanonical("truncated CBOR")
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        return major, info, at
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None or at + size > len(data):
        raise NotCanonical("indefinite or truncated CBOR item")
    return major, int.from_bytes(data[at:at + size], "big"), at + size


def decode(data: bytes, at: int = 0) -> tuple[Any, int]:
    start = at
    major, value, at = _head(data, at)
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major in (2, 3):
        chunk = data[at:at + value]
        if len(chunk) != value:
            raise NotCanonical("truncated CBOR string")
        return (chunk if major == 2 else chunk.decode("utf-8")), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = []
        for _ in range(value):
            key, at = decode(data, at)
            item, at = decode(data, at)
            pairs.append((key, item))
        return dict(pairs), at
    if major == 6:
        _, at = decode(data, at)
        return Raw(data[start:at]), at
    size = {25: 2, 26: 4, 27: 8}.get(data[start] & 31, 0) if major == 7 else 0
    return Raw(data[start:start + 1 + size]), start + 1 + size


def _encode_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, value)
    raise NotCanonical(f"integer too large for CBOR: {value}")


def encode(item: Any) -> bytes:
    if isinstance(item, Raw):
        return item.data
    if isinstance(item, bool) or item is None:
        raise NotCanonical(f"unexpected CBOR value {item!r}")
    if isinstance(item, int):
        return _encode_head(0, item) if item >= 0 else _encode_head(1, -1 - item)
    if isinstance(item, bytes):
        return _encode_head(2, len(item)) + item
    if isinstance(item, str):
        text = item.encode("utf-8")
        return _encode_head(3, len(text)) + text
    if isinstance(item, list):
        return _encode_head(4, len(item)) + b"".join(encode(i) for i in item)
    if isinstance(item, dict):
        return _encode_head(5, len(item)) + b"".join(encode(k) + encode(v)
                                                      for k, v in item.items())
    raise NotCanonical(f"unexpected value {item!r}")


# -- Pagefind's files ---------------------------------------------------------------------------

def read_cbor(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise NotCanonical(f"{path.name}: no Pagefind signature")
    body = data[len(SIGNATURE):]
    item, end = decode(body)
    if end != len(body) or encode(item) != body:
        raise NotCanonical(f"{path.name}: its CBOR does not round-trip")
    return item


def cbor_bytes(item: Any) -> tuple[bytes, str]:
    """The file's content (gzip without a timestamp) and the SHA-256 of its CBOR."""
    body = encode(item)
    return gzip.compress(SIGNATURE + body, compresslevel=9, mtime=0), \
        hashlib.sha256(body).hexdigest()


def _is_pair_list(value: Any, second: type) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], second)
        for v in value)


def canonical_filters(bundle: Path, language: str) -> dict[str, tuple[str, bytes]]:
    """Each filter chunk with its values in order: old name -> (new name, content)."""
    renamed: dict[str, tuple[str, bytes]] = {}
    for path in sorted((bundle / "filter").glob("*.pf_filter")):
        chunk = read_cbor(path)
        if not (isinstance(chunk, list) and len(chunk) == 2 and _is_pair_list(chunk[1], list)):
            raise NotCanonical(f"{path.name}: not a filter index")
        chunk[1].sort(key=lambda pair: pair[0])
        content, digest = cbor_bytes(chunk)
        new = f"{language}_{digest[:FILTER_HASH_LENGTH]}"
        if any(new == name for name, _ in renamed.values()):
            raise NotCanonical(f"two filter chunks hash to {new}")
        renamed[path.stem] = (new, content)
    return renamed


def canonical_meta(meta: list[Any], renamed: dict[str, str]) -> None:
    """Sort the metadata's filter and sort lists by name, pointing at the renamed chunks."""
    filters = [i for i, part in enumerate(meta) if part and _is_pair_list(part, str)
               and all(hash_ in renamed for _, hash_ in part)]
    sorts = [i for i, part in enumerate(meta) if part and _is_pair_list(part, list)]
    if len(filters) > 1 or len(sorts) > 1 or (renamed and not filters):
        raise NotCanonical("the metadata's filters or sorts were not found")
    for index in filters:
        meta[index] = sorted([[name, renamed[hash_]] for name, hash_ in meta[index]])
    for index in sorts:
        meta[index].sort(key=lambda pair: pair[0])


def make_stable(bundle: Path) -> None:
    """Put the Pagefind bundle in ``bundle`` in canonical order (see the module's doc). Raises
    ``NotCanonical``, having changed nothing, when the output is not laid out as expected."""
    entry_path = bundle / "pagefind-entry.json"
    entry_text = entry_path.read_text(encoding="utf-8")
    languages = json.loads(entry_text).get("languages", {})
    if len(languages) != 1:
        raise NotCanonical("expected one language index")
    (language, index), = languages.items()
    old = str(index["hash"])
    quoted = json.dumps(old)
    if entry_text.count(quoted) != 1:
        raise NotCanonical("pagefind-entry.json does not name the metadata once")
    meta_path = bundle / f"pagefind.{old}.pf_meta"
    meta = read_cbor(meta_path)
    if not isinstance(meta, list):
        raise NotCanonical("the metadata is not a list")
    chunks = canonical_filters(bundle, language)
    canonical_meta(meta, {old_name: new for old_name, (new, _) in chunks.items()})
    content, digest = cbor_bytes(meta)
    new = f"{language}_{digest[:META_HASH_LENGTH]}"
    for old_name in chunks:
        (bundle / "filter" / f"{old_name}.pf_filter").unlink()
    for new_name, chunk in chunks.values():
        (bundle / "filter" / f"{new_name}.pf_filter").write_bytes(chunk)
    meta_path.unlink()
    (bundle / f"pagefind.{new}.pf_meta").write_bytes(content)
    entry_path.write_text(entry_text.replace(quoted, json.dumps(new)), encoding="utf-8")
