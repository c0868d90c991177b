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
import json
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from graphgen_neo4j.llm.client import SCRIPTED_OWNER
from graphgen_neo4j.testing.embeddings import embeddings_reply
from graphgen_neo4j.testing.faults import Fault, fault_error, shape_text
from graphgen_neo4j.testing.http import Answer, Slots, encode, error_answer, json_answer, read_request
from graphgen_neo4j.testing.recording import RecordedRequest, RequestLog
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
        self._requests = RequestLog()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._slots: Slots | None = None
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

    def set_name_translations(self, table: Mapping[str, str]) -> None:
        """The names the scripted LLM "knows" in the other language (``scripts/translate_names.py``):
        it answers ``translate_names`` from this table and, in ``resolve``, takes two names the
        table pairs as one thing. Names not in it get "" (not known)."""
        self.knobs["name_translations"] = dict(table)

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
        return self._requests.snapshot()

    def count(self, task: str | None = None, *, path: str = CHAT_PATH) -> int:
        """Requests received for ``path`` (chat completions), of ``task`` if given."""
        return sum(1 for r in self.requests if r.path == path and (task is None or r.task == task))

    def clear_requests(self) -> None:
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
        self._slots = Slots(self._concurrency)
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
            while (request := await read_request(reader)) is not None:
                answer = await self._dispatch(request.method, request.path, request.headers, request.body)
                if writer.is_closing():
                    return
                writer.write(encode(answer, request.keep_alive))
                await writer.drain()
                if not request.keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _dispatch(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Answer:
        if method == "GET" and path.rstrip("/") in (MODELS_PATH, "/models"):
            self._record(RecordedRequest(method, MODELS_PATH, "", headers, None, time.monotonic()))
            return json_answer(200, self._models())
        if method == "POST" and path.rstrip("/") in (EMBEDDINGS_PATH, "/embeddings"):
            return self._embeddings(headers, raw)
        if method != "POST" or path.rstrip("/") not in (CHAT_PATH, "/chat/completions"):
            return error_answer(404, f"no route {method} {path}: the scripted server serves POST {CHAT_PATH} and GET {MODELS_PATH}")
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("the body is not a JSON object")
        except ValueError as exc:
            return error_answer(400, f"request body is not JSON: {exc}")
        task = headers.get("x-graphgen-task", "")
        fault = self._take_fault(task, body)
        self._record(RecordedRequest(method, CHAT_PATH, task, headers, body, time.monotonic(), fault.kind if fault else None))
        return await self._chat(task, headers, body, fault)

    def _embeddings(self, headers: dict[str, str], raw: bytes) -> Answer:
        """Deterministic vectors (``testing/embeddings.py``), recorded as task ``embedding``."""
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return error_answer(401, "Incorrect API key provided (scripted server)", code="invalid_api_key")
        try:
            body = json.loads(raw)
        except ValueError as exc:
            return error_answer(400, f"request body is not JSON: {exc}")
        self._record(RecordedRequest("POST", EMBEDDINGS_PATH, "embedding", headers, body, time.monotonic()))
        status, data = embeddings_reply(body, self.model)
        return json_answer(status, data)

    async def _chat(self, task: str, headers: dict[str, str], body: dict[str, Any], fault: Fault | None) -> Answer:
        kind = fault.kind if fault else None
        key_rejected = self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}"
        if key_rejected or kind == "401":
            return error_answer(401, "Incorrect API key provided (scripted server)", code="invalid_api_key")
        if self.require_model and body.get("model") != self.model:
            return error_answer(404, f"The model `{body.get('model')}` does not exist (scripted server serves {self.model})")
        if fault is not None:
            error = fault_error(fault)
            if error is not None:
                return error
            if kind == "hang":
                await asyncio.sleep(fault.seconds)
        answer = self._reply(task, headers, body, kind)
        if answer.status == 200:  # the reply is made at once and sent when its slot's time is up
            assert self._slots is not None
            await self._slots.wait(self.latency)
        return answer

    def _reply(self, task: str, headers: dict[str, str], body: dict[str, Any], kind: str | None) -> Answer:
        responder = get_responder(task)
        if responder is None:
            known = ", ".join(tasks()) or "none"
            return error_answer(400, f"no scripted responder for task {task!r} (send the X-GraphGen-Task header; known tasks: {known})")
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
            return error_answer(400, f"scripted responder for task {task!r} cannot answer: {type(exc).__name__}: {exc}")
        reply = out if isinstance(out, ScriptedReply) else ScriptedReply(text=str(out))
        if kind == "malformed_json":
            return Answer(200, b'{"id": "chatcmpl-scripted-broken", "object": "chat.completion", "choices": [{"mess')
        return json_answer(200, self._completion(body, reply, kind))

    def _completion(self, body: dict[str, Any], reply: ScriptedReply, kind: str | None) -> dict[str, Any]:
        text, finish_reason = shape_text(reply.text, kind)
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
        self._requests.append(request)


def _logprobs(reply: ScriptedReply, top_n: int) -> dict[str, Any]:
    ranked = reply.token_probs or [(reply.text, 1.0)]

    def entry(token: str, prob: float) -> dict[str, Any]:
        return {"token": token, "logprob": math.log(prob) if prob > 0 else -9999.0, "bytes": list(token.encode())}

    first = entry(*ranked[0])
    first["top_logprobs"] = [entry(t, p) for t, p in ranked[:top_n]]
    return {"content": [first], "refusal": None}


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
