"""A Content-Security-Policy for every built page: defence in depth behind the sanitiser.

The policy allows scripts from the site itself and, by hash, the inline scripts of the theme
(Material's few small bootstrap scripts) and nothing else: an inline script or an event handler
that reached a page's content would not run, nor would a ``javascript:`` URL, and no page can
load a script, style, font, image or frame from another host. Hashes are taken from the theme's
part of the page only, never from the content, so they cannot allow an injected script.

The search page alone also allows ``'wasm-unsafe-eval'``: Pagefind's search is WebAssembly,
which a browser compiles only under that source (it allows compiling WebAssembly, not ``eval``
of JavaScript). Pagefind runs it in a web worker (``worker-src 'self'``), or in the page itself
when a worker cannot start.
"""

from __future__ import annotations

import base64
import hashlib
import re

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
EXECUTABLE_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
HEAD = re.compile(r"<head\b[^>]*>", re.I)


def _executable(attributes: str) -> bool:
    if _SRC.search(attributes):
        return False
    match = _TYPE.search(attributes)
    return (match.group(1).lower() if match else "") in EXECUTABLE_TYPES


def inline_script_hashes(html: str, content: str | None = None) -> list[str]:
    """The CSP hashes of the page's inline scripts outside ``content`` (the page body)."""
    start = html.find(content) if content else -1
    end = start + len(content) if start >= 0 and content else -1
    hashes = []
    for match in _SCRIPT.finditer(html):
        if start <= match.start() < end or not _executable(match.group(1)):
            continue
        digest = hashlib.sha256(match.group(2).encode("utf-8")).digest()
        hashes.append("'sha256-" + base64.b64encode(digest).decode("ascii") + "'")
    return sorted(set(hashes))


def policy(script_hashes: list[str], wasm: bool = False) -> str:
    sources = ["'self'", *(["'wasm-unsafe-eval'"] if wasm else []), *script_hashes]
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(sources),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "frame-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def add_policy(html: str, content: str | None = None, wasm: bool = False) -> str:
    """The page with a CSP ``<meta>`` as the first element of ``<head>`` (``wasm``: the page
    may compile WebAssembly)."""
    head = HEAD.search(html)
    if head is None:
        return html
    meta = ('<meta http-equiv="Content-Security-Policy" content="'
            f'{policy(inline_script_hashes(html, content), wasm)}">')
    return html[:head.end()] + "\n    " + meta + html[head.end():]
