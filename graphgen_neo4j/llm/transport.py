"""One request to an OpenAI-compatible endpoint: limits, the openai client, error mapping, counting.

``Transport.send(body, …)`` sends a chat-completions body as is and returns a ``Reply``
(text, tokens, ``finish_reason``, first-token logprobs). It holds the per-event-loop
state (HTTP client, semaphore, RPM/TPM buckets, requests in flight), counts every HTTP
attempt in the ledger (``requests``; ``retries`` for all but the first of each send,
whether it succeeded or not) and maps openai's errors to ``LLMError`` messages that
name the endpoint, the model and the fix. This is the one place that does.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from dataclasses import dataclass, field
from typing import Any

import openai
from aiolimiter import AsyncLimiter

from graphgen_neo4j.errors import LLMError
from graphgen_neo4j.llm.http11 import KeepAliveTransport, uses_keepalive
from graphgen_neo4j.llm.http11 import http as _http
from graphgen_neo4j.llm.ledger import TokenLedger
from graphgen_neo4j.llm.settings import EndpointSettings
from graphgen_neo4j.llm.structured import names_response_format
from graphgen_neo4j.tokens import count_tokens

TASK_HEADER = "X-GraphGen-Task"

# HTTP attempts of the send running in this task (the request hook adds to it).
_attempts: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("graphgen_llm_attempts", default=None)


async def _on_request(_request: Any) -> None:
    box = _attempts.get()
    if box is not None:
        box[0] += 1


@dataclass
class Reply:
    """What one answered request gave back (or a cache hit, ``cached``)."""

    raw_text: str
    prompt_tokens: int
    completion_tokens: int
    top_logprobs: list[tuple[str, float]] | None = None
    cached: bool = False
    finish_reason: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "raw_text": self.raw_text,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "top_logprobs": self.top_logprobs,
            "finish_reason": self.finish_reason,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Reply:
        top = payload.get("top_logprobs")
        return cls(
            raw_text=payload["raw_text"],
            prompt_tokens=payload.get("prompt_tokens", 0),
            completion_tokens=payload.get("completion_tokens", 0),
            top_logprobs=[(t, lp) for t, lp in top] if top else None,
            cached=True,
            finish_reason=payload.get("finish_reason"),
        )


class BadReply(Exception):
    """The endpoint answered, but with nothing usable: worth asking again.

    ``kind`` labels it for the ledger; ``content`` is what the model wrote (None when
    the response itself was broken), shown back to it when it is asked again.
    """

    def __init__(self, reason: str, raw: str, *, kind: str, content: str | None = None):
        self.reason = reason
        self.raw = raw
        self.kind = kind
        self.content = content
        super().__init__(reason)


class FormatRefused(LLMError):
    """A 4xx/5xx naming ``response_format``: the endpoint does not take that mode."""

    reason = "response_format refused"


@dataclass
class LoopState:
    """What must belong to one event loop: the HTTP client, the semaphore, the limiters, requests in flight."""

    loop: asyncio.AbstractEventLoop
    client: openai.AsyncOpenAI
    semaphore: asyncio.Semaphore
    rpm: AsyncLimiter | None
    tpm: AsyncLimiter | None
    inflight: dict[str, asyncio.Future[Reply]] = field(default_factory=dict)
    single_try: openai.AsyncOpenAI | None = None  # ``client`` without retries, made once (see ``_create``)


class Transport:
    """Sends bodies to one endpoint (see the module docstring)."""

    def __init__(self, settings: EndpointSettings, ledger: TokenLedger, rate_period: float = 60.0):
        self.settings = settings
        self.ledger = ledger
        self.rate_period = rate_period
        self._state: LoopState | None = None

    def state(self) -> LoopState:
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
                # A plain-http endpoint with no proxy gets the lean keep-alive transport (llm/http11.py).
                http_client=openai.DefaultAsyncHttpxClient(
                    event_hooks={"request": [_on_request]},
                    mounts={"http://": KeepAliveTransport()} if uses_keepalive(s.base_url) else None,
                ),
            )
            self._state = LoopState(
                loop=loop,
                client=client,
                semaphore=asyncio.Semaphore(s.max_concurrency),
                rpm=AsyncLimiter(s.rpm, self.rate_period) if s.rpm else None,
                tpm=AsyncLimiter(s.tpm, self.rate_period) if s.tpm else None,
            )
        return self._state

    async def aclose(self) -> None:
        state, self._state = self._state, None
        if state is not None and state.loop is asyncio.get_running_loop():
            await state.client.close()

    async def send(self, body: dict[str, Any], *, stage: str, task: str, retry: bool = True) -> Reply:
        """One logical request under the limits; ``retry=False`` makes a single attempt."""
        state = self.state()
        async with state.semaphore:
            if state.rpm is not None:
                await state.rpm.acquire()
            if state.tpm is not None:
                await state.tpm.acquire(min(self.estimate_tokens(body), state.tpm.max_rate))
            box = [0]
            token = _attempts.set(box)
            try:
                response = await self._create(state, body, task, retry)
            finally:
                _attempts.reset(token)
                attempts = max(box[0], 1)
                self._count(stage, requests=attempts, retries=attempts - 1)
        return self._read(response, body, stage)

    async def served_models(self) -> list[dict[str, Any]]:
        """``GET /models`` of the endpoint (id, owned_by, …); raises openai errors as is."""
        client = self.state().client.with_options(timeout=min(10.0, self.settings.timeout), max_retries=0)
        page = await client.models.list()
        return [m.model_dump() for m in page.data]

    # ----------------------------------------------------------------- internals

    async def _create(self, state: LoopState, body: dict[str, Any], task: str, retry: bool) -> Any:
        # client.post (the documented way to send a body as is) rather than
        # chat.completions.create: the latter's typed transform of the parameters and
        # model construction of the reply cost more CPU than the rest of a request.
        # The copy without retries is made once: a pool member sends every request that way, and
        # a fresh copy per request cost a copy and a thread hop (openai's platform probe) each.
        client = state.client
        if not retry:
            if state.single_try is None:
                state.single_try = state.client.with_options(max_retries=0)
            client = state.single_try
        try:
            return await client.post(
                "/chat/completions", cast_to=_http.Response, body=body, options={"headers": {TASK_HEADER: task}}
            )
        except openai.APIStatusError as exc:
            raise await self._status_error(exc, body, retry) from None
        except openai.APITimeoutError:
            s = self.settings
            raise LLMError(
                f"no reply from {s.base_url} for model {s.model} within {s.timeout:g} s, {s.max_retries} retries: "
                f"the server is stuck or overloaded; raise {s.env_prefix}_TIMEOUT or lower {s.env_prefix}_MAX_CONCURRENCY",
                reason="timeout",
            ) from None
        except openai.APIConnectionError as exc:
            s = self.settings
            cause = exc.__cause__ or exc
            raise LLMError(
                f"cannot connect to {s.base_url} ({s.env_prefix}_BASE_URL) after {s.max_retries} retries: "
                f"is the server running? ({type(cause).__name__}: {cause})",
                reason="unreachable",
            ) from None

    def _read(self, response: Any, body: dict[str, Any], stage: str) -> Reply:
        """The reply text, tokens and first-token logprobs of a response; ledger updated."""
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        choices = data.get("choices") if isinstance(data, dict) else None
        if not choices or not isinstance(choices[0], dict):
            self._count(stage, calls=1, prompt_tokens=self.estimate_tokens(body, completion=False))
            reason = "a response body that is not JSON" if data is None else "a response with no choices"
            raise BadReply(reason, response.text, kind="broken response")
        choice = choices[0]
        content = (choice.get("message") or {}).get("content") or ""
        usage = data.get("usage") or {}
        if usage.get("prompt_tokens") is not None:
            prompt_tokens, completion_tokens = usage["prompt_tokens"], usage.get("completion_tokens") or 0
        else:
            prompt_tokens, completion_tokens = self.estimate_tokens(body, completion=False), count_tokens(content)
        top: list[tuple[str, float]] | None = None
        logprobs = (choice.get("logprobs") or {}).get("content")
        if logprobs:
            first = logprobs[0]
            top = [(c["token"], c["logprob"]) for c in first.get("top_logprobs") or []] or [(first["token"], first["logprob"])]
        self._count(stage, calls=1, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
        return Reply(content, prompt_tokens, completion_tokens, top, finish_reason=choice.get("finish_reason"))

    def estimate_tokens(self, body: dict[str, Any], *, completion: bool = True) -> int:
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
        self.ledger.add(stage, self.settings.role, self.settings.model, **counts)

    async def _status_error(self, exc: openai.APIStatusError, body: dict[str, Any], retried: bool) -> LLMError:
        s, status = self.settings, exc.status_code
        where = f"{s.base_url} for model {s.model}"
        detail = error_detail(exc)
        if status == 401:
            return LLMError(f"API key rejected by {where}: set {s.key_var} ({detail})", reason="HTTP 401")
        if status == 403:
            return LLMError(f"access denied by {where}: check that {s.key_var} may use this model ({detail})",
                            reason="HTTP 403")
        if status == 404:
            served = await self._served_ids()
            offer = f"; it serves: {', '.join(served)}" if served else f"; check that {s.env_prefix}_BASE_URL ends in /v1"
            return LLMError(f"model {s.model!r} is not served by {s.base_url}{offer}: set {s.env_prefix}_MODEL ({detail})",
                            reason="HTTP 404")
        if body.get("response_format") and names_response_format(status, detail):
            return FormatRefused(f"{where} does not take this response_format (HTTP {status}): {detail}")
        after = f" after {s.max_retries} retries" if retried else ""
        if status in (400, 422):
            return LLMError(f"{where} rejected the request (HTTP {status}): {detail}", reason=f"HTTP {status}")
        if status == 429:
            return LLMError(
                f"{where} still rate-limits{after}: lower {s.env_prefix}_MAX_CONCURRENCY "
                f"or set {s.env_prefix}_RPM / {s.env_prefix}_TPM ({detail})",
                reason="HTTP 429",
            )
        return LLMError(f"{where} failed with HTTP {status}{after} ({detail})", reason=f"HTTP {status}")

    async def _served_ids(self) -> list[str]:
        try:
            models = await self.served_models()
        except openai.OpenAIError:
            return []
        ids = [str(m.get("id")) for m in models]
        return ids[:10] + ([f"… {len(ids) - 10} more"] if len(ids) > 10 else [])


def error_detail(exc: openai.APIStatusError) -> str:
    """The server's own message in an error answer."""
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(body.get("message"), str):
            return body["message"]
    return exc.message
