"""A real OpenAI-compatible HTTP server whose replies are scripted, for tests and demos.

    with ScriptedLLMServer(latency=0.05, concurrency=8) as server:
        settings = EndpointSettings(role="synthesizer", base_url=server.base_url, model="graphgen-scripted")
        ...
        server.inject("429", times=2)          # the next two requests get 429 + Retry-After
        assert server.count(task="extract") == 3

It speaks HTTP/1.1 (keep-alive) on asyncio streams, in a background thread
(``start()``/``stop()`` or ``with``), in the foreground (``serve_forever()``), or as
a process: ``python -m graphgen_neo4j.testing.llm_server --port 8765``.

* ``POST /v1/chat/completions`` (non-streaming): the reply comes from the responder
  registered for the request's ``X-GraphGen-Task`` header (``testing/scripts/``);
  unknown task → HTTP 400 "no scripted responder for task …".
* ``GET /v1/models``: one model, ``owned_by: graphgen-neo4j-scripted-server``.

Knobs, all settable while it runs: ``latency`` (seconds per reply), ``concurrency``
(replies in progress at once; more requests queue, like a vLLM batch), faults
(``inject``), the trainee profile of the judge responder, and ``knobs`` for any
responder. Every request is recorded (``requests``, ``count``).
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from types import MappingProxyType
from typing import Any

from graphgen_neo4j.llm.client import SCRIPTED_OWNER
from graphgen_neo4j.testing.embeddings import embeddings_reply
from graphgen_neo4j.testing.scripts import (
    ScriptedReply,
    ScriptedRequest,
    get_responder,
    load_responders,
    message_text,
    tasks,
)
from graphgen_neo4j.testing.scripts.judge import TRAINEE_PROFILES, normalize_statement
from graphgen_neo4j.tokens import count_tokens

DEFAULT_MODEL = "graphgen-scripted"
DEFAULT_PORT = 8765
CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
EMBEDDINGS_PATH = "/v1/embeddings"

FAULT_KINDS = {
    "429": "HTTP 429 with Retry-After (retry_after, default 0.05 s)",
    "500": "HTTP 500 (with Retry-After if retry_after is set)",
    "401": "HTTP 401, API key rejected",
    "hang": "no answer for `seconds` (default 600), past any client timeout",
    "malformed_json": "HTTP 200 whose body is cut-off JSON",
    "empty_content": "HTTP 200 with an empty message",
    "no_logprobs": "a normal reply without logprobs",
    "no_usage": "a normal reply without usage (token counts)",
    "reject_response_format": "HTTP 400 when the request has response_format (no structured output)",
    "format_500": "HTTP 500 naming response_format when the request has one (a server that fails on it)",
    "json_object_only": "HTTP 500 \"Input should be 'text' or 'json_object'\" for a json_schema response_format "
    "(llama-cpp-python); json_object is taken",
    "truncated": "the reply cut off halfway, finish_reason length (a model that hit max_tokens)",
    "text_mode": "the reply wrapped in a ```json fence with chatter around it",
    "think": "the reply preceded by a <think>…</think> block",
}


@dataclass
class Fault:
    """A fault for the next ``times`` matching requests (``None``: until cleared).

    ``task`` limits it to one task; ``reject_response_format`` only matches requests
    that carry a response_format.
    """

    kind: str
    times: int | None = 1
    task: str | None = None
    retry_after: float | None = None
    seconds: float = 600.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(FAULT_KINDS)}")

    def matches(self, task: str, body: Mapping[str, Any]) -> bool:
        if self.task is not None and task != self.task:
            return False
        fmt = body.get("response_format")
        if self.kind == "json_object_only":
            return isinstance(fmt, Mapping) and fmt.get("type") == "json_schema"
        return self.kind not in ("reject_response_format", "format_500") or bool(fmt)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    task: str
    headers: Mapping[str, str]
    body: Mapping[str, Any] | None
    arrived: float  # time.monotonic()
    fault: str | None = None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages") or [])

    @property
    def params(self) -> dict[str, Any]:
        return {k: v for k, v in (self.body or {}).items() if k != "messages"}


@dataclass
class _Answer:
    status: int
    payload: bytes
    headers: dict[str, str] = field(default_factory=dict)


class _Slots:
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


class ScriptedLLMServer:
    """The scripted OpenAI-compatible server (see the module docstring)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency: float = 0.0,
        concurrency: int | None = None,
        faults: Iterable[Fault] = (),
        model: str = DEFAULT_MODEL,
        api_key: str | None = None,
        require_model: bool = False,
        trainee_profile: str = "knows",
        blind_spot_terms: Iterable[str] = (),
        knobs: Mapping[str, Any] | None = None,
    ):
        self.host = host
        self.port = port
        self.latency = latency
        self.model = model
        self.api_key = api_key
        self.require_model = require_model
        self.knobs: dict[str, Any] = {"judgements": {}, **(knobs or {})}
        self.trainee_profile = trainee_profile
        self.blind_spot_terms = tuple(blind_spot_terms)
        self._concurrency = concurrency
        self._lock = threading.Lock()
        self._faults: list[Fault] = list(faults)
        self._requests: list[RecordedRequest] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._slots: _Slots | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._thread: threading.Thread | None = None
        self._counter = 0

    # ----------------------------------------------------------------- knobs

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def concurrency(self) -> int | None:
        return self._concurrency

    @concurrency.setter
    def concurrency(self, value: int | None) -> None:
        self._concurrency = value
        loop, slots = self._loop, self._slots
        if loop is not None and slots is not None:
            loop.call_soon_threadsafe(lambda: slots.set_limit(value, loop.time()))

    @property
    def trainee_profile(self) -> str:
        return self.knobs["trainee_profile"]

    @trainee_profile.setter
    def trainee_profile(self, value: str) -> None:
        if value not in TRAINEE_PROFILES:
            raise ValueError(f"unknown trainee profile {value!r}; known: {', '.join(TRAINEE_PROFILES)}")
        self.knobs["trainee_profile"] = value

    @property
    def blind_spot_terms(self) -> tuple[str, ...]:
        return self.knobs["blind_spot_terms"]

    @blind_spot_terms.setter
    def blind_spot_terms(self, terms: Iterable[str]) -> None:
        self.knobs["blind_spot_terms"] = tuple(terms)

    @property
    def peak_active(self) -> int:
        """The most replies that were in progress at once (reset by ``clear_requests``)."""
        return self._slots.peak if self._slots is not None else 0

    def set_judgement(self, statement: str, *, yes: float, no: float | None = None) -> None:
        """Fix the judge's P(yes) (and P(no), default 1 - yes) for one statement."""
        no = 1.0 - yes if no is None else no
        if not (0 <= yes <= 1 and 0 <= no <= 1 and yes + no <= 1 + 1e-9):
            raise ValueError(f"P(yes)={yes} and P(no)={no} must be probabilities summing to at most 1")
        self.knobs["judgements"] = {**self.knobs["judgements"], normalize_statement(statement): (yes, no)}

    def set_extraction_replies(self, replies: Mapping[str, Mapping[str, Any]]) -> None:
        """Answer ``extract`` for these passages (text or ``passage_key``) with these extractions, ``glean`` with nothing.

        See ``scripts/extract.py`` ("Table replies"); other passages keep the rule-based reply.
        """
        self.knobs["extraction_replies"] = {key: dict(value) for key, value in replies.items()}

    def inject(self, kind: str, *, times: int | None = 1, task: str | None = None, **options: Any) -> Fault:
        """Apply fault ``kind`` to the next ``times`` matching requests (see ``FAULT_KINDS``)."""
        fault = Fault(kind, times=times, task=task, **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # ----------------------------------------------------------------- records

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def count(self, task: str | None = None, *, path: str = CHAT_PATH) -> int:
        """Requests received for ``path`` (chat completions), of ``task`` if given."""
        return sum(1 for r in self.requests if r.path == path and (task is None or r.task == task))

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
        loop, slots = self._loop, self._slots
        if loop is not None and slots is not None:
            loop.call_soon_threadsafe(lambda: slots.reset_peak(loop.time()))

    # ----------------------------------------------------------------- running

    def start(self) -> ScriptedLLMServer:
        """Serve in a background thread; returns once the port is bound."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(self._serve(ready.set))
            except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
                failure.append(exc)
                ready.set()

        self._thread = threading.Thread(target=run, name="scripted-llm-server", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, event = self._loop, self._stop_event
        if loop is not None and event is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # loop already closed
                pass
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def serve_forever(self, ready: Callable[[], None] | None = None) -> None:
        """Serve in this thread until ``stop()`` from another thread or Ctrl-C."""
        try:
            asyncio.run(self._serve(ready or (lambda: None)))
        except KeyboardInterrupt:
            pass

    def __enter__(self) -> ScriptedLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _serve(self, ready: Callable[[], None]) -> None:
        load_responders()
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        self._slots = _Slots(self._concurrency)
        server = await asyncio.start_server(self._connection, self.host, self.port, backlog=1024)
        self.port = server.sockets[0].getsockname()[1]
        ready()
        try:
            await self._stop_event.wait()
        finally:
            server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await server.wait_closed()
            self._loop = None

    # ----------------------------------------------------------------- HTTP

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = (lines[0].split(" ", 2) + ["", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                try:
                    body = await _read_body(reader, headers)
                except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                    return
                answer = await self._dispatch(method, target.split("?", 1)[0], headers, body)
                keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                if writer.is_closing():
                    return
                writer.write(_encode(answer, keep_alive))
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _dispatch(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> _Answer:
        if method == "GET" and path.rstrip("/") in (MODELS_PATH, "/models"):
            self._record(RecordedRequest(method, MODELS_PATH, "", headers, None, time.monotonic()))
            return _json(200, self._models())
        if method == "POST" and path.rstrip("/") in (EMBEDDINGS_PATH, "/embeddings"):
            return self._embeddings(headers, raw)
        if method != "POST" or path.rstrip("/") not in (CHAT_PATH, "/chat/completions"):
            return _error(404, f"no route {method} {path}: the scripted server serves POST {CHAT_PATH} and GET {MODELS_PATH}")
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("the body is not a JSON object")
        except ValueError as exc:
            return _error(400, f"request body is not JSON: {exc}")
        task = headers.get("x-graphgen-task", "")
        fault = self._take_fault(task, body)
        self._record(RecordedRequest(method, CHAT_PATH, task, headers, body, time.monotonic(), fault.kind if fault else None))
        return await self._chat(task, headers, body, fault)

    def _embeddings(self, headers: dict[str, str], raw: bytes) -> _Answer:
        """Deterministic vectors (``testing/embeddings.py``), recorded as task ``embedding``."""
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided (scripted server)", code="invalid_api_key")
        try:
            body = json.loads(raw)
        except ValueError as exc:
            return _error(400, f"request body is not JSON: {exc}")
        self._record(RecordedRequest("POST", EMBEDDINGS_PATH, "embedding", headers, body, time.monotonic()))
        status, data = embeddings_reply(body, self.model)
        return _json(status, data)

    async def _chat(self, task: str, headers: dict[str, str], body: dict[str, Any], fault: Fault | None) -> _Answer:
        kind = fault.kind if fault else None
        key_rejected = self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}"
        if key_rejected or kind == "401":
            return _error(401, "Incorrect API key provided (scripted server)", code="invalid_api_key")
        if self.require_model and body.get("model") != self.model:
            return _error(404, f"The model `{body.get('model')}` does not exist (scripted server serves {self.model})")
        if kind == "429":
            retry_after = 0.05 if fault.retry_after is None else fault.retry_after  # type: ignore[union-attr]
            return _error(429, "Rate limit reached (scripted fault)", headers={"retry-after": f"{retry_after:g}"})
        if kind == "500":
            extra = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}  # type: ignore[union-attr]
            return _error(500, "Internal server error (scripted fault)", headers=extra)
        if kind == "reject_response_format":
            return _error(400, "response_format is not supported by this server (scripted fault)", param="response_format")
        if kind == "format_500":
            return _error(500, "cannot apply response_format: grammar compilation failed (scripted fault)")
        if kind == "json_object_only":
            return _error(500, "1 validation error: ('body', 'response_format', 'type') Input should be 'text' or "
                               "'json_object' (scripted fault)")
        if kind == "hang":
            await asyncio.sleep(fault.seconds)  # type: ignore[union-attr]
        answer = self._reply(task, headers, body, kind)
        if answer.status == 200:  # the reply is made at once and sent when its slot's time is up
            assert self._slots is not None
            await self._slots.wait(self.latency)
        return answer

    def _reply(self, task: str, headers: dict[str, str], body: dict[str, Any], kind: str | None) -> _Answer:
        responder = get_responder(task)
        if responder is None:
            known = ", ".join(tasks()) or "none"
            return _error(400, f"no scripted responder for task {task!r} (send the X-GraphGen-Task header; known tasks: {known})")
        request = ScriptedRequest(
            task=task,
            messages=body.get("messages") or [],
            params={k: v for k, v in body.items() if k != "messages"},
            headers=MappingProxyType(dict(headers)),
            knobs=MappingProxyType(dict(self.knobs)),
        )
        try:
            out = responder(request)
        except Exception as exc:  # noqa: BLE001 - reported to the client
            return _error(400, f"scripted responder for task {task!r} cannot answer: {type(exc).__name__}: {exc}")
        reply = out if isinstance(out, ScriptedReply) else ScriptedReply(text=str(out))
        if kind == "malformed_json":
            return _Answer(200, b'{"id": "chatcmpl-scripted-broken", "object": "chat.completion", "choices": [{"mess')
        return _json(200, self._completion(body, reply, kind))

    def _completion(self, body: dict[str, Any], reply: ScriptedReply, kind: str | None) -> dict[str, Any]:
        text = reply.text
        if kind == "text_mode":
            text = f"[canned] Sure! Here is the JSON you asked for:\n```json\n{text}\n```\nLet me know if you need anything else."
        elif kind == "think":
            text = '<think>[canned] Let me think step by step. {"draft": true}</think>\n' + text
        elif kind == "empty_content":
            text = ""
        finish_reason = "stop"
        if kind == "truncated":
            text, finish_reason = text[: max(1, len(text) // 2)], "length"
        with self._lock:
            self._counter += 1
            number = self._counter
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": finish_reason,
            "logprobs": None,
        }
        if body.get("logprobs") and kind != "no_logprobs":
            choice["logprobs"] = _logprobs(reply, int(body.get("top_logprobs") or 0))
        completion: dict[str, Any] = {
            "id": f"chatcmpl-scripted-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "system_fingerprint": SCRIPTED_OWNER,
            "choices": [choice],
        }
        if kind != "no_usage":
            prompt = sum(count_tokens(message_text(m)) + 4 for m in body.get("messages") or [])
            done = int(body.get("max_tokens") or count_tokens(text)) if kind == "truncated" else count_tokens(text)
            completion["usage"] = {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done}
        return completion

    def _models(self) -> dict[str, Any]:
        return {"object": "list", "data": [{"id": self.model, "object": "model", "created": 0, "owned_by": SCRIPTED_OWNER}]}

    def _take_fault(self, task: str, body: Mapping[str, Any]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(task, body):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)


def _logprobs(reply: ScriptedReply, top_n: int) -> dict[str, Any]:
    ranked = reply.token_probs or [(reply.text, 1.0)]

    def entry(token: str, prob: float) -> dict[str, Any]:
        return {"token": token, "logprob": math.log(prob) if prob > 0 else -9999.0, "bytes": list(token.encode())}

    first = entry(*ranked[0])
    first["top_logprobs"] = [entry(t, p) for t, p in ranked[:top_n]]
    return {"content": [first], "refusal": None}


async def _read_body(reader: asyncio.StreamReader, headers: Mapping[str, str]) -> bytes:
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


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> _Answer:
    return _Answer(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), headers or {})


def _error(status: int, message: str, *, headers: dict[str, str] | None = None, **extra: Any) -> _Answer:
    error = {"message": message, "type": "invalid_request_error" if status < 500 else "server_error", **extra}
    return _json(status, {"error": error}, headers)


def _encode(answer: _Answer, keep_alive: bool) -> bytes:
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


def main(argv: list[str] | None = None) -> None:
    """``python -m graphgen_neo4j.testing.llm_server``: serve until Ctrl-C."""
    parser = argparse.ArgumentParser(description="Scripted OpenAI-compatible server: every reply is canned.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    parser.add_argument("--concurrency", type=int, default=None, help="replies in progress at once")
    parser.add_argument("--trainee-profile", choices=TRAINEE_PROFILES, default="knows")
    parser.add_argument("--blind-spot", action="append", default=[], help="term the trainee gets wrong")
    parser.add_argument("--api-key", default=None, help="require this bearer key")
    args = parser.parse_args(argv)
    server = ScriptedLLMServer(
        args.host,
        args.port,
        latency=args.latency,
        concurrency=args.concurrency,
        api_key=args.api_key,
        trainee_profile=args.trainee_profile,
        blind_spot_terms=args.blind_spot,
    )
    server.serve_forever(lambda: print(f"scripted LLM server (canned replies) listening on {server.base_url}", flush=True))


if __name__ == "__main__":
    main()
