"""A lean HTTP/1.1 transport for plain-``http://`` endpoints: keep-alive connections on asyncio streams.

httpx's default transport (httpcore on anyio) spends ~0.5 ms of CPU per request on
connection-pool bookkeeping, socket probes and event plumbing; with hundreds of requests
a second to a local vLLM or the scripted server, that — not the servers — limits one
client process. ``KeepAliveTransport`` does the same job for what the client sends (a
request with a body it has in full, a response read in full) at a fraction of the cost:

* one pool of idle keep-alive connections per host and port; a connection is taken
  for one request at a time and given back when the response was read in full and
  the server did not say ``connection: close``;
* a connection reused after the server closed it (the response never began) is
  replaced by a new one once: the request was not seen, so it is safe to send again;
* responses framed by ``content-length``, ``transfer-encoding: chunked`` or the end of
  the connection; ``content-encoding`` is decoded by httpx as usual;
* httpx's timeouts: ``connect`` for opening a connection, ``read`` for the whole
  response once the request is written (a non-streaming completion sends nothing
  before it is done), and httpx's own errors (``ConnectError``, ``ReadTimeout``, …)
  so openai retries and maps them as before.

It is mounted for ``http://`` only, and only when no proxy variable applies to the
endpoint (``uses_keepalive``); TLS, proxies and everything else stay on httpx's own
transport, and ``GRAPHGEN_HTTP_TRANSPORT=httpx`` puts every endpoint back on it (for a
server this transport does not get along with). Streaming responses are read in full before they are returned.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import urllib.request
from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import openai

# The HTTP library under openai (httpx2 for openai 3, httpx before).
http = importlib.import_module(openai.DefaultAsyncHttpxClient.__bases__[0].__module__.partition(".")[0])

T = TypeVar("T")
_BaseTransport: Any = http.AsyncBaseTransport
_NO_BODY_STATUS = (204, 304)
_MAX_IDLE = 512  # idle connections kept per host; more are closed


def uses_keepalive(base_url: str) -> bool:
    """True when ``base_url`` is plain http and no proxy variable applies to it (as httpx reads them),
    unless ``GRAPHGEN_HTTP_TRANSPORT=httpx`` asks for httpx's own transport everywhere."""
    if os.environ.get("GRAPHGEN_HTTP_TRANSPORT", "").strip().lower() == "httpx":
        return False
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    proxies = urllib.request.getproxies()
    if not (proxies.get("http") or proxies.get("all")):
        return True
    return bool(urllib.request.proxy_bypass(parts.hostname))


async def _within(seconds: float | None, step: Awaitable[T]) -> T:
    if seconds is None:
        return await step
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await step
    return await asyncio.wait_for(step, seconds)  # pragma: no cover - Python 3.10


class _Stale(Exception):
    """The server closed a reused connection before any of the response."""


class _Connection:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    def usable(self) -> bool:
        return not (self.writer.is_closing() or self.reader.at_eof())

    def close(self) -> None:
        self.writer.close()


class KeepAliveTransport(_BaseTransport):
    """HTTP/1.1 with keep-alive on asyncio streams (see the module docstring)."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}

    async def handle_async_request(self, request: Any) -> Any:
        url = request.url
        if url.scheme != "http":
            raise http.UnsupportedProtocol(f"KeepAliveTransport serves http:// only, not {url.scheme}://", request=request)
        timeout = request.extensions.get("timeout") or {}
        address = (url.host, url.port or 80)
        message = _encode(request, await request.aread())
        while True:
            connection, reused = await self._take(address, timeout.get("connect"), request)
            try:
                connection.writer.write(message)
                status, headers, body, keep = await _within(timeout.get("read"), _read_response(connection.reader, request))
            except _Stale:
                connection.close()
                if reused:
                    continue  # the server had closed it while idle: once more on a fresh one
                raise http.RemoteProtocolError("server disconnected without sending a response", request=request) from None
            except TimeoutError:
                connection.close()
                raise http.ReadTimeout(f"no response within {timeout.get('read')} s", request=request) from None
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                connection.close()
                raise http.ReadError(f"{type(exc).__name__}: {exc}", request=request) from None
            except BaseException:
                connection.close()  # cancelled mid-exchange: the connection's state is unknown
                raise
            self._give_back(address, connection, keep)
            return http.Response(status, headers=headers, stream=http.ByteStream(body), request=request,
                                 extensions={"http_version": b"HTTP/1.1"})

    async def aclose(self) -> None:
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    async def _take(self, address: tuple[str, int], connect: float | None, request: Any) -> tuple[_Connection, bool]:
        idle = self._idle.get(address)
        while idle:
            connection = idle.pop()
            if connection.usable():
                return connection, True
            connection.close()
        try:
            reader, writer = await _within(connect, asyncio.open_connection(*address, limit=2**20))
        except TimeoutError:
            raise http.ConnectTimeout(f"no connection to {address[0]}:{address[1]} within {connect} s", request=request) from None
        except OSError as exc:
            raise http.ConnectError(f"{type(exc).__name__}: {exc}", request=request) from None
        return _Connection(reader, writer), False

    def _give_back(self, address: tuple[str, int], connection: _Connection, keep: bool) -> None:
        idle = self._idle.setdefault(address, [])
        if keep and connection.usable() and len(idle) < _MAX_IDLE:
            idle.append(connection)
        else:
            connection.close()


def _encode(request: Any, body: bytes) -> bytes:
    """The request head and body; a body always goes with its content-length."""
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), request.url.raw_path)]
    for name, value in request.headers.raw:
        if name.lower() not in (b"content-length", b"transfer-encoding"):
            lines.append(name + b": " + value)
    if body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(b"content-length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def _read_response(reader: asyncio.StreamReader, request: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
    """Status, headers, body and whether the connection may be kept."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise _Stale() from None
        raise
    except ConnectionResetError:
        raise _Stale() from None
    status, headers = _parse_head(head)
    while 100 <= status < 200:  # an interim response: the real one follows
        status, headers = _parse_head(await reader.readuntil(b"\r\n\r\n"))
    fields = {name.lower(): value for name, value in headers}
    keep = head.startswith(b"HTTP/1.1") and fields.get(b"connection", b"").lower() != b"close"
    if request.method == "HEAD" or status in _NO_BODY_STATUS:
        body = b""
    elif fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = await _read_chunked(reader)
    elif b"content-length" in fields:
        body = await reader.readexactly(int(fields[b"content-length"]))
    else:  # framed by the end of the connection
        body, keep = await reader.read(), False
    return status, headers, body, keep


def _parse_head(head: bytes) -> tuple[int, list[tuple[bytes, bytes]]]:
    lines = head[:-4].split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        raise ValueError(f"not an HTTP response: {lines[0][:80]!r}")
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            headers.append((name.strip(), value.strip()))
    return int(parts[1]), headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers, then the blank line
                pass
            return b"".join(chunks)
        chunks.append((await reader.readexactly(size + 2))[:-2])
