"""HTTP/1.1 plumbing of the scripted server, on asyncio streams: reading a request (keep-alive,
chunked bodies), JSON and OpenAI-style error answers, encoding a response, and the reply
slots that model a server's concurrency (``Slots``).
"""

from __future__ import annotations

import asyncio
import heapq
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any


@dataclass
class Answer:
    status: int
    payload: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Slots:
    """``limit`` replies in progress at once (None: no limit), each taking ``latency`` seconds.

    Requests get slots in the order they arrive. A request starts when it arrives or
    when its slot frees up, on the clock rather than whenever the event loop gets round
    to it, so a busy server loop does not stretch the schedule (a vLLM batch does not
    wait for Python either): with enough requests queued, throughput is limit/latency.
    """

    def __init__(self, limit: int | None):
        self.limit: int | None = None
        self.peak = 0
        self._free_at: list[float] = []  # heap: when each slot is next free
        self._ends: list[float] = []  # heap: when the replies scheduled so far end
        self.set_limit(limit, 0.0)

    def set_limit(self, limit: int | None, now: float) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"concurrency must be at least 1 (or None for no limit), not {limit}")
        kept = sorted(self._free_at)[: limit or 0] if self.limit is not None else []
        self._free_at = kept + [now] * ((limit or 0) - len(kept))
        heapq.heapify(self._free_at)
        self.limit = limit

    def reset_peak(self, now: float) -> None:
        self.peak = sum(1 for end in self._ends if end > now)

    async def wait(self, latency: float) -> None:
        """Wait for a slot, then keep it ``latency`` seconds."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = now
        if self.limit is not None:
            start = max(now, heapq.heappop(self._free_at))
            heapq.heappush(self._free_at, start + latency)
        while self._ends and self._ends[0] <= start:
            heapq.heappop(self._ends)
        heapq.heappush(self._ends, start + latency)
        self.peak = max(self.peak, len(self._ends))
        await asyncio.sleep(max(0.0, start + latency - now))


@dataclass
class Request:
    """One HTTP request as read from a connection."""

    method: str
    path: str  # without the query string
    headers: dict[str, str]  # names in lower case
    body: bytes
    keep_alive: bool


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request on a keep-alive connection (None: the client closed it, or sent a broken one)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = (lines[0].split(" ", 2) + ["", ""])[:3]
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    try:
        body = await read_body(reader, headers)
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        return None
    keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    return Request(method, target.split("?", 1)[0], headers, body, keep_alive)


async def read_body(reader: asyncio.StreamReader, headers: Mapping[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return b"".join(chunks)
            chunks.append(chunk[:-2])
    length = int(headers.get("content-length") or 0)
    return await reader.readexactly(length) if length else b""


def json_answer(status: int, data: Any, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), headers or {})


def error_answer(status: int, message: str, *, headers: dict[str, str] | None = None, **extra: Any) -> Answer:
    error = {"message": message, "type": "invalid_request_error" if status < 500 else "server_error", **extra}
    return json_answer(status, {"error": error}, headers)


def encode(answer: Answer, keep_alive: bool) -> bytes:
    reason = HTTPStatus(answer.status).phrase
    head = [
        f"HTTP/1.1 {answer.status} {reason}",
        "content-type: application/json",
        f"content-length: {len(answer.payload)}",
        f"connection: {'keep-alive' if keep_alive else 'close'}",
        "x-graphgen-scripted: canned",
        *(f"{name}: {value}" for name, value in answer.headers.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + answer.payload
