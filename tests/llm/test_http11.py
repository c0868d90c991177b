"""The lean keep-alive transport (``llm/http11.py``) against small servers that misbehave on purpose.

Each server here answers with a fixed behaviour (keep-alive, chunked, framed by close,
gzip, closing idle connections, never answering) and counts the connections it accepted.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable

import openai
import pytest

from graphgen_neo4j.llm import TokenLedger
from graphgen_neo4j.llm.http11 import KeepAliveTransport, http, uses_keepalive
from graphgen_neo4j.llm.transport import BadReply, Transport

from .conftest import endpoint, user

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, bytes, int], Awaitable[bool]]


class RawServer:
    """Reads each request (head and content-length body), hands it to ``handler``; counts connections."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                if not await self.handler(reader, writer, body, len(self.requests)):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def response(body: bytes, *extra: bytes) -> bytes:
    head = [b"HTTP/1.1 200 OK", b"content-type: application/json", b"content-length: %d" % len(body), *extra]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


async def keep_alive(reader, writer, body: bytes, n: int) -> bool:
    writer.write(response(b'{"n": %d}' % n))
    await writer.drain()
    return True


@pytest.fixture
async def client() -> AsyncIterator[object]:
    async with http.AsyncClient(transport=KeepAliveTransport(), timeout=2.0) as c:
        yield c


async def test_connections_are_kept_and_reused(client) -> None:
    async with RawServer(keep_alive) as server:
        replies = [await client.post(server.url + "/x", json={"i": i}) for i in range(5)]
        assert [r.json()["n"] for r in replies] == [1, 2, 3, 4, 5]
        assert server.connections == 1
        head, body = server.requests[0].split(b"\r\n\r\n", 1)
        assert body in (b'{"i":0}', b'{"i": 0}') and b"content-length: %d" % len(body) in head.lower()


async def test_parallel_requests_use_parallel_connections(client) -> None:
    async def slow(reader, writer, body, n):
        await asyncio.sleep(0.05)
        return await keep_alive(reader, writer, body, n)

    async with RawServer(slow) as server:
        await asyncio.gather(*(client.post(server.url, content=b"x") for _ in range(4)))
        await asyncio.gather(*(client.post(server.url, content=b"x") for _ in range(4)))
        assert server.connections == 4


async def test_a_connection_closed_while_idle_is_replaced(client) -> None:
    async def one_per_connection(reader, writer, body, n):  # answers as keep-alive, then hangs up
        await keep_alive(reader, writer, body, n)
        return False

    async with RawServer(one_per_connection) as server:
        first = await client.post(server.url, content=b"a")
        await asyncio.sleep(0.05)  # the client has seen the close by now
        second = await client.post(server.url, content=b"b")
        third = await client.post(server.url, content=b"c")  # sent before the close is seen: the request fails, is sent again
        assert [r.json()["n"] for r in (first, second, third)] == [1, 2, 3]
        assert server.connections == 3


async def test_chunked_close_framed_and_gzip_bodies(client) -> None:
    async def varied(reader, writer, body, n):
        if body == b"chunked":
            writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                         b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nx-trailer: 1\r\n\r\n")
        elif body == b"gzip":
            writer.write(response(gzip.compress(b"zipped"), b"content-encoding: gzip"))
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end")
            await writer.drain()
            return False
        await writer.drain()
        return True

    async with RawServer(varied) as server:
        assert (await client.post(server.url, content=b"chunked")).content == b"hello world"
        assert (await client.post(server.url, content=b"gzip")).content == b"zipped"
        assert (await client.post(server.url, content=b"close")).content == b"until the end"
        assert (await client.post(server.url, content=b"chunked")).content == b"hello world"
        assert server.connections == 2  # the close-framed answer ended its connection


async def test_timeouts_and_refused_connections_are_httpx_errors() -> None:
    async def never(reader, writer, body, n):
        await asyncio.sleep(10)
        return False

    async with http.AsyncClient(transport=KeepAliveTransport(), timeout=0.2) as c:
        async with RawServer(never) as server:
            with pytest.raises(http.ReadTimeout):
                await c.post(server.url, content=b"x")
            port = server.port
        await asyncio.sleep(0.05)
        with pytest.raises(http.ConnectError):
            await c.post(f"http://127.0.0.1:{port}/v1", content=b"x")


async def test_a_cancelled_request_does_not_leave_its_connection_in_the_pool() -> None:
    gate = asyncio.Event()

    async def late(reader, writer, body, n):
        if n == 1:
            await gate.wait()
        return await keep_alive(reader, writer, body, n)

    transport = KeepAliveTransport()
    async with http.AsyncClient(transport=transport, timeout=2.0) as c, RawServer(late) as server:
        task = asyncio.create_task(c.post(server.url, content=b"x"))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        gate.set()
        assert (await c.post(server.url, content=b"y")).json()["n"] == 2
        assert server.connections == 2  # a half-read answer is never taken for the next one


def test_only_plain_http_without_a_proxy_gets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "GRAPHGEN_HTTP_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    assert uses_keepalive("http://gpu01:8000/v1")
    assert not uses_keepalive("https://api.example.com/v1")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy:3128")
    assert not uses_keepalive("http://gpu01:8000/v1")
    monkeypatch.setenv("NO_PROXY", "gpu01")
    assert uses_keepalive("http://gpu01:8000/v1")
    monkeypatch.setenv("GRAPHGEN_HTTP_TRANSPORT", "httpx")  # the way back to httpx's own transport
    assert not uses_keepalive("http://gpu01:8000/v1")


async def test_the_transport_of_the_client_keeps_one_connection_for_sequential_requests(server) -> None:
    async with RawServer(keep_alive) as raw:
        sent = Transport(endpoint(server, base_url=raw.url), TokenLedger())
        for _ in range(3):
            with pytest.raises(BadReply):  # the canned body is not a completion: only the wire matters here
                await sent.send({"model": "m", "messages": user("hi"), "max_tokens": 1}, stage="t", task="t")
        await sent.aclose()
        assert raw.connections == 1 and len(raw.requests) == 3
        assert all(b"x-graphgen-task: t" in r.lower() for r in raw.requests)


async def test_openai_errors_are_mapped_as_before(server) -> None:
    async def broken(reader, writer, body, n):
        writer.write(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        return True

    async with RawServer(broken) as raw:
        client = openai.AsyncOpenAI(api_key="k", base_url=raw.url, max_retries=1,
                                    http_client=openai.DefaultAsyncHttpxClient(transport=KeepAliveTransport()))
        with pytest.raises(openai.InternalServerError):
            await client.post("/chat/completions", cast_to=http.Response, body={"messages": []})
        await client.close()
        assert len(raw.requests) == 2 and raw.connections == 1  # retried on the kept connection
