"""The one way the toolkit talks to a language model.

``LLMClient`` wraps ``openai.AsyncOpenAI`` for one endpoint (synthesizer or trainee)::

    client = LLMClient(EndpointSettings.from_env("synthesizer"), cache=ResponseCache(), ledger=ledger)
    reply = await client.complete(messages, stage="extract", task="extract")
    graph = await client.structured(messages, Extraction, stage="extract", task="extract")
    top = await client.judge_yes_no(messages, stage="judge")      # list[TokenCandidate]

What it adds to the openai client:

* one concurrency limit (a semaphore) and RPM/TPM token buckets per client, shared by
  every stage that uses it;
* the openai client's own retries (429 honouring ``Retry-After``, 5xx, timeouts,
  dropped connections, jittered exponential backoff, ``max_retries`` attempts), and a
  plain ``LLMError`` naming the endpoint, the model and the fix for what retrying cannot
  fix (401, 403, 404, 400);
* replies that cannot be used (body not JSON, no choices, empty text, JSON that does
  not fit the model) are asked again once, without the cache, then raise
  ``LLMOutputError`` keeping the raw text;
* the response cache and the token ledger;
* ``<think>`` removal, JSON-schema structured output with a tolerant-text fallback,
  and first-token log-probabilities for the judge;
* the header ``X-GraphGen-Task: <task>`` on every request (the scripted test server
  dispatches on it; real servers ignore it).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from aiolimiter import AsyncLimiter
from pydantic import BaseModel, ConfigDict, ValidationError

from graphgen_neo4j.errors import LLMError, LLMOutputError, NoLogprobsError
from graphgen_neo4j.llm.cache import ResponseCache, cache_key
from graphgen_neo4j.llm.ledger import TokenLedger
from graphgen_neo4j.llm.parsing import extract_json, strip_think
from graphgen_neo4j.llm.settings import EndpointSettings
from graphgen_neo4j.tokens import count_tokens

log = logging.getLogger(__name__)

# The HTTP library under openai (httpx2 for openai 3, httpx before), for its Response type.
_http = importlib.import_module(openai.DefaultAsyncHttpxClient.__bases__[0].__module__.partition(".")[0])

TASK_HEADER = "X-GraphGen-Task"
# ``owned_by`` of the scripted test server's model in GET /v1/models.
SCRIPTED_OWNER = "graphgen-neo4j-scripted-server"

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Messages = list[dict[str, Any]]


class Completion(BaseModel):
    """A text reply. ``text`` is ``raw_text`` without reasoning blocks, stripped."""

    model_config = ConfigDict(frozen=True)

    text: str
    raw_text: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool


class TokenCandidate(BaseModel):
    """One of the top-k candidates for the first generated token."""

    model_config = ConfigDict(frozen=True)

    token: str
    logprob: float

    @property
    def prob(self) -> float:
        return math.exp(self.logprob)


@dataclass
class _Reply:
    raw_text: str
    prompt_tokens: int
    completion_tokens: int
    top_logprobs: list[tuple[str, float]] | None = None
    cached: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "raw_text": self.raw_text,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "top_logprobs": self.top_logprobs,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> _Reply:
        top = payload.get("top_logprobs")
        return cls(
            raw_text=payload["raw_text"],
            prompt_tokens=payload.get("prompt_tokens", 0),
            completion_tokens=payload.get("completion_tokens", 0),
            top_logprobs=[(t, lp) for t, lp in top] if top else None,
            cached=True,
        )


class _BadReply(Exception):
    """The endpoint answered, but with nothing usable; worth one more try."""

    def __init__(self, reason: str, raw: str):
        self.reason = reason
        self.raw = raw
        super().__init__(reason)


def _reply_text(reply: _Reply) -> str:
    """The reply without reasoning; an empty one is unusable."""
    text = strip_think(reply.raw_text)
    if not text:
        raise _BadReply("an empty reply", reply.raw_text)
    return text


class _Rejected(LLMError):
    """HTTP 400/422: the endpoint refused the request itself."""


@dataclass
class _LoopState:
    """What must belong to one event loop: the HTTP client, the semaphore, the limiters."""

    loop: asyncio.AbstractEventLoop
    client: openai.AsyncOpenAI
    semaphore: asyncio.Semaphore
    rpm: AsyncLimiter | None
    tpm: AsyncLimiter | None


class LLMClient:
    """An OpenAI-compatible endpoint with limits, retries, cache and ledger.

    ``rate_period`` is the window the RPM/TPM budgets refer to (60 s; tests shrink it).
    """

    def __init__(
        self,
        settings: EndpointSettings,
        *,
        cache: ResponseCache | None = None,
        ledger: TokenLedger | None = None,
        rate_period: float = 60.0,
    ):
        self.settings = settings
        self.cache = cache
        self.ledger = ledger if ledger is not None else TokenLedger()
        self.rate_period = rate_period
        self._state: _LoopState | None = None
        self._response_format_ok: bool | None = None  # None: not tried yet

    @property
    def model(self) -> str:
        return self.settings.model

    # ----------------------------------------------------------------- public calls

    async def complete(
        self,
        messages: Messages,
        *,
        stage: str,
        task: str,
        temperature: float = 0.0,
        max_tokens: int | None = None,
        sample: int = 0,
    ) -> Completion:
        """A text reply. ``sample`` tells apart repeated samples of one prompt (cache key only)."""
        body = self._body(messages, temperature, max_tokens)
        text, reply = await self._run(body, self._key(body, sample=sample), stage=stage, task=task, accept=_reply_text)
        return Completion(
            text=text,
            raw_text=reply.raw_text,
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
            cached=reply.cached,
        )

    async def structured(
        self,
        messages: Messages,
        response_model: type[M],
        *,
        stage: str,
        task: str,
        temperature: float = 0.0,
        max_tokens: int | None = None,
        sample: int = 0,
    ) -> M:
        """A reply parsed into ``response_model``.

        Sends a JSON-schema ``response_format`` unless the endpoint is known not to take
        one (``structured_output``: auto tries it and falls back on a 400). The prompt
        itself should still describe the JSON wanted: without structured output the
        model only has the prompt to go by. The reply is parsed tolerantly either way.
        """
        schema = response_model.model_json_schema()
        body = self._body(messages, temperature, max_tokens)
        key = self._key(body, sample=sample, schema=schema)
        response_format = self._response_format(response_model, schema)
        if response_format is not None:
            body["response_format"] = response_format

        def accept(reply: _Reply) -> M:
            text = _reply_text(reply)
            try:
                return response_model.model_validate(extract_json(text, expect=dict))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "(root)"
                raise _BadReply(f"JSON that does not fit {response_model.__name__} ({where}: {first['msg']})", reply.raw_text) from None
            except ValueError as exc:
                raise _BadReply(f"a reply with no usable JSON ({exc})", reply.raw_text) from None

        value, _ = await self._run(body, key, stage=stage, task=task, accept=accept)
        return value

    async def judge_yes_no(
        self, messages: Messages, *, stage: str, task: str = "judge", top_logprobs: int = 5
    ) -> list[TokenCandidate]:
        """Top-k candidates (most likely first) for the first token of a one-token reply."""
        body = self._body(messages, 0.0, 1, logprobs=True, top_logprobs=top_logprobs)

        def accept(reply: _Reply) -> list[TokenCandidate]:
            if not reply.top_logprobs:
                s = self.settings
                raise NoLogprobsError(
                    f"{s.env_prefix} endpoint {s.base_url} (model {s.model}) returns no logprobs; "
                    "use vLLM/SGLang/OpenAI, or run with judging skipped"
                )
            ranked = sorted(reply.top_logprobs, key=lambda c: c[1], reverse=True)
            return [TokenCandidate(token=t, logprob=lp) for t, lp in ranked]

        candidates, _ = await self._run(body, self._key(body), stage=stage, task=task, accept=accept)
        return candidates

    async def served_models(self) -> list[dict[str, Any]]:
        """``GET /models`` of the endpoint (id, owned_by, …); raises openai errors as is."""
        client = self._loop_state().client.with_options(timeout=min(10.0, self.settings.timeout), max_retries=0)
        page = await client.models.list()
        return [m.model_dump() for m in page.data]

    async def is_scripted(self) -> bool:
        """True when the endpoint is the scripted test server (its replies are canned)."""
        try:
            return any(m.get("owned_by") == SCRIPTED_OWNER for m in await self.served_models())
        except openai.OpenAIError:
            return False

    async def aclose(self) -> None:
        state, self._state = self._state, None
        if state is not None and state.loop is asyncio.get_running_loop():
            await state.client.close()

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ----------------------------------------------------------------- the common path

    async def _run(
        self, body: dict[str, Any], key: str, *, stage: str, task: str, accept: Callable[[_Reply], T]
    ) -> tuple[T, _Reply]:
        """Cache, then up to two requests until ``accept`` takes the reply; ledger throughout."""
        try:
            if self.cache is not None:
                payload = self.cache.get(key)
                if payload is not None:
                    reply = _Reply.from_payload(payload)
                    try:
                        value = accept(reply)
                    except _BadReply:
                        log.warning("cached reply for task %s no longer parses; asking again", task)
                    else:
                        self._count(stage, cached=1)
                        return value, reply
            bad: _BadReply | None = None
            for _ in range(2):
                try:
                    reply = await self._send(body, stage=stage, task=task)
                    value = accept(reply)
                except _BadReply as exc:
                    bad = exc
                    log.warning("%s gave %s for task %s", self.settings.describe(), exc.reason, task)
                    continue
                if self.cache is not None:
                    self.cache.put(key, reply.payload(), base_url=self.settings.base_url, model=self.model, task=task)
                return value, reply
            assert bad is not None
            raise LLMOutputError(
                f"{self.settings.describe()} gave {bad.reason} for task {task!r}, twice; raw reply kept",
                raw=bad.raw,
                task=task,
            )
        except LLMError:
            self._count(stage, failures=1)
            raise

    async def _send(self, body: dict[str, Any], *, stage: str, task: str) -> _Reply:
        """One logical request: limits, the openai client (with its retries), error mapping."""
        state = self._loop_state()
        async with state.semaphore:
            if state.rpm is not None:
                await state.rpm.acquire()
            if state.tpm is not None:
                await state.tpm.acquire(min(self._estimate_tokens(body), state.tpm.max_rate))
            try:
                response = await self._create(state, body, task)
            except _Rejected as exc:
                if "response_format" not in body:
                    raise
                if self.settings.structured_output != "auto":
                    hint = f"without structured output set {self.settings.env_prefix}_STRUCTURED_OUTPUT=off"
                    raise _Rejected(f"{exc}; for a server {hint}") from None
                # Probably a server without structured output: try once without it.
                plain = {k: v for k, v in body.items() if k != "response_format"}
                response = await self._create(state, plain, task)
                log.warning("%s rejects response_format; parsing plain text from now on", self.settings.describe())
                self._response_format_ok = False
        return self._read(response, body, stage)

    async def _create(self, state: _LoopState, body: dict[str, Any], task: str) -> Any:
        # client.post (the documented way to send a body as is) rather than
        # chat.completions.create: the latter's typed transform of the parameters and
        # model construction of the reply cost more CPU than the rest of a request.
        try:
            return await state.client.post(
                "/chat/completions", cast_to=_http.Response, body=body, options={"headers": {TASK_HEADER: task}}
            )
        except openai.APIStatusError as exc:
            raise await self._status_error(exc) from None
        except openai.APITimeoutError:
            s = self.settings
            raise LLMError(
                f"no reply from {s.base_url} for model {s.model} within {s.timeout:g} s, {s.max_retries} retries: "
                f"the server is stuck or overloaded; raise {s.env_prefix}_TIMEOUT or lower {s.env_prefix}_MAX_CONCURRENCY"
            ) from None
        except openai.APIConnectionError as exc:
            s = self.settings
            cause = exc.__cause__ or exc
            raise LLMError(
                f"cannot connect to {s.base_url} ({s.env_prefix}_BASE_URL) after {s.max_retries} retries: "
                f"is the server running? ({type(cause).__name__}: {cause})"
            ) from None

    def _read(self, response: Any, body: dict[str, Any], stage: str) -> _Reply:
        """The reply text, tokens and first-token logprobs of a response; ledger updated."""
        retries = int(response.request.headers.get("x-stainless-retry-count") or 0)
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        choices = data.get("choices") if isinstance(data, dict) else None
        if not choices or not isinstance(choices[0], dict):
            self._count(stage, calls=1, retries=retries, prompt_tokens=self._estimate_tokens(body, completion=False))
            reason = "a response body that is not JSON" if data is None else "a response with no choices"
            raise _BadReply(reason, response.text)
        choice = choices[0]
        content = (choice.get("message") or {}).get("content") or ""
        usage = data.get("usage") or {}
        if usage.get("prompt_tokens") is not None:
            prompt_tokens, completion_tokens = usage["prompt_tokens"], usage.get("completion_tokens") or 0
        else:
            prompt_tokens, completion_tokens = self._estimate_tokens(body, completion=False), count_tokens(content)
        top: list[tuple[str, float]] | None = None
        logprobs = (choice.get("logprobs") or {}).get("content")
        if logprobs:
            first = logprobs[0]
            top = [(c["token"], c["logprob"]) for c in first.get("top_logprobs") or []] or [(first["token"], first["logprob"])]
        self._count(stage, calls=1, retries=retries, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
        return _Reply(content, prompt_tokens, completion_tokens, top)

    # ----------------------------------------------------------------- helpers

    def _loop_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        if self._state is None or self._state.loop is not loop:
            s = self.settings
            client = openai.AsyncOpenAI(
                api_key=s.api_key.get_secret_value(),
                base_url=s.base_url,
                timeout=s.timeout,
                max_retries=s.max_retries,
                # Not openai's default wrapper, whose __del__ schedules a close on whatever
                # loop runs then, which fails for a client left behind by an earlier loop.
                http_client=openai.DefaultAsyncHttpxClient(),
            )
            self._state = _LoopState(
                loop=loop,
                client=client,
                semaphore=asyncio.Semaphore(s.max_concurrency),
                rpm=AsyncLimiter(s.rpm, self.rate_period) if s.rpm else None,
                tpm=AsyncLimiter(s.tpm, self.rate_period) if s.tpm else None,
            )
        return self._state

    def _body(self, messages: Messages, temperature: float, max_tokens: int | None, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": temperature}
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        body.update(extra)
        return body

    def _key(self, body: dict[str, Any], *, sample: int = 0, schema: dict[str, Any] | None = None) -> str:
        params = {k: v for k, v in body.items() if k not in ("model", "messages", "response_format")}
        params.update(sample=sample, response_format=schema)
        return cache_key(self.settings.base_url, self.model, body["messages"], params)

    def _response_format(self, response_model: type[BaseModel], schema: dict[str, Any]) -> dict[str, Any] | None:
        mode = self.settings.structured_output
        if mode == "off" or (mode == "auto" and self._response_format_ok is False):
            return None
        if mode == "json_object":
            return {"type": "json_object"}
        name = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in response_model.__name__)[:64]
        return {"type": "json_schema", "json_schema": {"name": name or "reply", "schema": schema}}

    def _estimate_tokens(self, body: dict[str, Any], *, completion: bool = True) -> int:
        """Prompt tokens by tiktoken (+ max_tokens when ``completion``): the TPM charge."""
        total = 0
        for message in body["messages"]:
            content = message.get("content") or ""
            if isinstance(content, list):  # content parts
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            total += count_tokens(str(content)) + 4
        if completion:
            total += body.get("max_tokens") or 0
        return max(total, 1)

    def _count(self, stage: str, **counts: int) -> None:
        self.ledger.add(stage, self.settings.role, self.model, **counts)

    async def _status_error(self, exc: openai.APIStatusError) -> LLMError:
        s, status = self.settings, exc.status_code
        where = f"{s.base_url} for model {s.model}"
        detail = _error_detail(exc)
        if status == 401:
            return LLMError(f"API key rejected by {where}: set {s.env_prefix}_API_KEY ({detail})")
        if status == 403:
            return LLMError(f"access denied by {where}: check that {s.env_prefix}_API_KEY may use this model ({detail})")
        if status == 404:
            served = await self._served_ids()
            offer = f"; it serves: {', '.join(served)}" if served else f"; check that {s.env_prefix}_BASE_URL ends in /v1"
            return LLMError(f"model {s.model!r} is not served by {s.base_url}{offer}: set {s.env_prefix}_MODEL ({detail})")
        if status in (400, 422):
            return _Rejected(f"{where} rejected the request (HTTP {status}): {detail}")
        if status == 429:
            return LLMError(
                f"{where} still rate-limits after {s.max_retries} retries: lower {s.env_prefix}_MAX_CONCURRENCY "
                f"or set {s.env_prefix}_RPM / {s.env_prefix}_TPM ({detail})"
            )
        return LLMError(f"{where} failed with HTTP {status} after {s.max_retries} retries ({detail})")

    async def _served_ids(self) -> list[str]:
        try:
            models = await self.served_models()
        except openai.OpenAIError:
            return []
        ids = [str(m.get("id")) for m in models]
        return ids[:10] + ([f"… {len(ids) - 10} more"] if len(ids) > 10 else [])


def _error_detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(body.get("message"), str):
            return body["message"]
    return exc.message
