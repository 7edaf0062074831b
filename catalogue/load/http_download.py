"""One HTTP(S) download, bounded in wall time, bytes and memory, whatever the server does.

``timeout`` bounds the whole download, from connecting to the last byte: a per-read socket
timeout alone would let a server that trickles a byte at a time (in its headers or its body)
hold the download for ever. A timer closes the connection when the time is up, which ends any
read blocked on it. The body is copied in fixed-size blocks and cut off past the expected size;
http.client bounds the headers (count and line length). Redirects are followed by hand, to
``https`` (or ``http`` on loopback) only: a redirect anywhere else (``file:``, ``data:``,
``javascript:``, plain http to another host) is an error of the pointer, not a network failure.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.request
from typing import BinaryIO, NamedTuple
from urllib.parse import urljoin, urlsplit

from catalogue.model.findings import clip
from catalogue.model.pointers import is_loopback

CHUNK = 1024 * 1024
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class DownloadRefused(Exception):
    """The server's answer breaks a rule of the pointer (a bad redirect, more bytes than
    expected, a size that differs from the record's); ``rule`` is the finding's rule."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


class DownloadFailed(Exception):
    """The file could not be had now: network error, time limit, HTTP status ``status``."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class Limits(NamedTuple):
    timeout: float
    """Seconds for the whole download."""
    size: int
    """The exact number of bytes expected."""


def is_allowed_target(url: str) -> bool:
    """https, or plain http to this machine (a local mirror, the tests' server)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))


def download(url: str, out: BinaryIO, limits: Limits, headers: dict[str, str]) -> None:
    """Write the body of ``url`` to ``out``; raises ``DownloadRefused`` or ``DownloadFailed``."""
    deadline = time.monotonic() + limits.timeout
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        connection = _connect(current, deadline, limits.timeout)
        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, (connection,))
        watchdog.daemon = True
        watchdog.start()
        try:
            try:
                response = _request(connection, current, headers)
                if response.status in REDIRECTS:
                    location = response.getheader("Location") or ""
                    target = urljoin(current, location)
                    if not is_allowed_target(target):
                        raise DownloadRefused("artefact-url", f"{clip(url)} redirects to "
                                              f"{clip(location)}; only https redirects are "
                                              "followed")
                    current = target
                    continue
                if response.status != 200:
                    raise DownloadFailed(clip(response.reason), response.status)
                _check_announced(url, response.getheader("Content-Length"), limits.size)
                _copy(response, out, url, limits.size)
                if time.monotonic() >= deadline:
                    raise TimeoutError  # cut off by the watchdog: what came is not the file
                return
            except (OSError, http.client.HTTPException) as exc:
                if time.monotonic() >= deadline:
                    raise DownloadFailed(f"the download took longer than {limits.timeout:g} s "
                                         "(artefacts.timeout_seconds in catalogue.yaml)") from None
                raise DownloadFailed(clip(str(exc) or type(exc).__name__, 200)) from None
        finally:
            watchdog.cancel()
            connection.close()
    raise DownloadFailed(f"more than {MAX_REDIRECTS} redirects")


def _connect(url: str, deadline: float, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    host = parts.hostname or ""
    remaining = max(0.001, deadline - time.monotonic())
    per_read = min(timeout, remaining)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxy_parts = urlsplit(proxy)
        connection = cls(proxy_parts.hostname or "", proxy_parts.port, timeout=per_read)
        connection.set_tunnel(host, parts.port)
    else:
        connection = cls(host, parts.port, timeout=per_read)
    return connection


def _request(connection: http.client.HTTPConnection, url: str,
             headers: dict[str, str]) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection.request("GET", path, headers=headers)
    return connection.getresponse()


def _cut(connection: http.client.HTTPConnection) -> None:
    """Time is up: shut the socket down, so that a blocked read returns at once."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _check_announced(url: str, announced: str | None, size: int) -> None:
    if announced is not None and announced.isdigit() and len(announced) < 20 \
            and int(announced) != size:
        raise DownloadRefused("artefact-size", f"{clip(url)}: the server announces "
                              f"{int(announced):,} bytes but size_bytes says {size:,}; not "
                              "downloaded")


def _copy(source: http.client.HTTPResponse, out: BinaryIO, url: str, size: int) -> None:
    """Copy at most ``size`` bytes (itself under the download limit): a server that sends more
    is cut off instead of filling the disk."""
    total = 0
    while block := source.read(CHUNK):
        total += len(block)
        if total > size:
            raise DownloadRefused("artefact-size", f"{clip(url)}: the server sent more than the "
                                  f"{size:,} bytes size_bytes says; download stopped")
        out.write(block)
