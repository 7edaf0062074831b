"""A Content-Security-Policy for every built page: defence in depth behind the escaping and the
sanitiser.

The policy is built from what the generator emits, never from what a page happens to contain.
The generator emits no inline script: Material's small bootstrap scripts are replaced by files
of the site (``theme/partials/javascripts/``), and the only inline ``<script>`` elements left are
data (JSON-LD, JSON configuration), which a browser never runs. So scripts may come from the
site itself (``'self'``) and from nowhere else, and nothing is hashed: an inline script, an event
handler or a ``javascript:`` URL that reached a page, wherever in it, would not run, and no page
can load a script, style, font, image or frame from another host.

The search page alone also allows ``'wasm-unsafe-eval'``: Pagefind's search is WebAssembly,
which a browser compiles only under that source (it allows compiling WebAssembly, not ``eval``
of JavaScript). Pagefind runs it in a web worker (``worker-src 'self'``), or in the page itself
when a worker cannot start.

``omh serve`` adds one nonce, drawn at random when the server starts, for the live-reload
script the development server itself adds to each page it serves (``with_nonce``).
"""

from __future__ import annotations

import re
import secrets

HEAD = re.compile(r"<head\b[^>]*>", re.I)
LIVE_RELOAD_SCRIPT = b"<script>"
"""How MkDocs' development server opens the live-reload script it appends to a page."""


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def policy(*, wasm: bool = False, nonce: str | None = None) -> str:
    sources = ["'self'", *(["'wasm-unsafe-eval'"] if wasm else []),
               *([f"'nonce-{nonce}'"] if nonce else [])]
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


def add_policy(html: str, *, wasm: bool = False, nonce: str | None = None) -> str:
    """The page with a CSP ``<meta>`` as the first element of ``<head>`` (``wasm``: the page
    may compile WebAssembly; ``nonce``: the development server's live-reload script may run)."""
    head = HEAD.search(html)
    if head is None:
        return html
    meta = ('<meta http-equiv="Content-Security-Policy" content="'
            f'{policy(wasm=wasm, nonce=nonce)}">')
    return html[:head.end()] + "\n    " + meta + html[head.end():]


def with_nonce(page: bytes, nonce: str) -> bytes:
    """``page`` as the development server sends it, with ``nonce`` on the live-reload script
    the server appended (the last plain ``<script>`` of the page: every script the generator
    emits has a ``src`` or a data ``type``)."""
    at = page.rfind(LIVE_RELOAD_SCRIPT)
    if at < 0:
        return page
    return (page[:at] + f'<script nonce="{nonce}">'.encode("ascii")
            + page[at + len(LIVE_RELOAD_SCRIPT):])
