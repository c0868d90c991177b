"""The one way the toolkit talks to a language model.

``LLMClient`` wraps ``openai.AsyncOpenAI`` for one endpoint (synthesizer or trainee), or a
pool of them (a list of settings: ``llm/pooled.py`` routes each request)::

    client = LLMClient(EndpointSettings.from_env("synthesizer"), cache=ResponseCache(), ledger=ledger)
    reply = await client.complete(messages, stage="extract", task="extract")
    graph = await client.structured(messages, Extraction, stage="extract", task="extract")
    top = await client.judge_yes_no(messages, stage="judge")      # list[TokenCandidate]

What it adds to the openai client:

* one concurrency limit (a semaphore) and RPM/TPM token buckets per client, shared by
  every stage that uses it, and the openai client's own retries (``transport``);
* ``max_tokens`` on every request, from the table by task in ``budgets`` unless the
  call gives its own;
* replies that cannot be used are asked again: one cut off at ``max_tokens``
  (``finish_reason: length``) once with twice the budget; one with no usable JSON, or
  JSON that does not fit, up to ``max_reasks`` times with the error stated in a short
  follow-up message and a little temperature. Then ``LLMOutputError`` (keeping the raw
  text) — never an empty result. Only an accepted reply is cached;
* single-flight: an identical request (same endpoint, model, messages, parameters)
  made while one is in flight waits for it and shares its reply (ledger: ``deduped``);
* structured output that steps down json_schema → json_object → plain text when the
  endpoint refuses a mode, remembered per endpoint (``structured``);
* ``<think>`` removal, tolerant JSON parsing (``parsing``) and first-token
  log-probabilities for the judge;
* the header ``X-GraphGen-Task: <task>`` on every request (the scripted test server
  dispatches on it; real servers ignore it).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import openai
from pydantic import BaseModel, ConfigDict

from graphgen_neo4j.errors import LLMError, LLMOutputError, NoLogprobsError
from graphgen_neo4j.llm.budgets import TRUNCATION_FREQUENCY_PENALTY, grown_budget, max_tokens_for, reask_temperature
from graphgen_neo4j.llm.cache import ResponseCache, cache_key
from graphgen_neo4j.llm.calls import Call, check_truncation, follow_up, reply_text
from graphgen_neo4j.llm.endpoints import pool_identity
from graphgen_neo4j.llm.ledger import TokenLedger
from graphgen_neo4j.llm.parsing import ReplyError, parse_model
from graphgen_neo4j.llm.pooled import PoolTransport
from graphgen_neo4j.llm.settings import EndpointSettings
from graphgen_neo4j.llm.structured import Mode, ModeMemory, fix_hint, next_mode, response_format
from graphgen_neo4j.llm.transport import TASK_HEADER, BadReply, FormatRefused, Reply, Transport

log = logging.getLogger(__name__)

__all__ = ["LOCAL_OWNER", "SCRIPTED_OWNER", "TASK_HEADER", "Completion", "LLMClient", "TokenCandidate"]

# ``owned_by`` of the scripted test server's model in GET /v1/models.
SCRIPTED_OWNER = "graphgen-neo4j-scripted-server"
# ``owned_by`` of the embedded local model (``graphgen-neo4j llm start``).
LOCAL_OWNER = "graphgen-neo4j-local-model"

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Messages = list[dict[str, Any]]

# Errors after which a request is not worth sending again with retries.
_FINAL = ("HTTP 400", "HTTP 401", "HTTP 403", "HTTP 404", "HTTP 422")
@functools.lru_cache(maxsize=64)
def _json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema, built once per model: pydantic builds it anew on every call (~2 ms
    for the extraction's, on the event loop, per request); nothing downstream changes it."""
    return model.model_json_schema()


_PROBE_SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}


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


class LLMClient:
    """An OpenAI-compatible endpoint with limits, retries, re-asks, cache and ledger.

    ``rate_period`` is the window the RPM/TPM budgets refer to (60 s; tests shrink it).
    """

    def __init__(
        self,
        settings: EndpointSettings | Sequence[EndpointSettings],
        *,
        cache: ResponseCache | None = None,
        ledger: TokenLedger | None = None,
        rate_period: float = 60.0,
    ):
        endpoints = [settings] if isinstance(settings, EndpointSettings) else list(settings)
        self.settings = settings = endpoints[0]
        self.endpoints = endpoints
        self.cache = cache
        self.ledger = ledger if ledger is not None else TokenLedger()
        self.rate_period = rate_period
        self._transport: Transport | PoolTransport
        if len(endpoints) > 1:  # a pool: each request to the least-loaded healthy endpoint (llm/pooled.py)
            self._transport = PoolTransport(endpoints, self.ledger, rate_period, one_model=settings.role == "trainee")
        else:
            self._transport = Transport(settings, self.ledger, rate_period)
        # Cache keys name the endpoint only when there is one: a pool's replies are the pool's.
        self._key_url, self._key_model = pool_identity(endpoints)
        self._modes = ModeMemory(settings.base_url, settings.model, cache.path.parent if cache is not None else None)
        self._confirmed: set[Mode] = set()

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
        call = self._call(messages, stage, task, temperature, max_tokens, sample=sample)
        text, reply = await self._run(call, reply_text)
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

        Sends a ``response_format`` (see ``structured``) unless the endpoint is known not
        to take one. The prompt itself should still describe the JSON wanted: without
        structured output the model only has the prompt to go by. The reply is parsed
        tolerantly either way (``parsing.parse_model``).
        """
        schema = _json_schema(response_model)
        call = self._call(messages, stage, task, temperature, max_tokens, sample=sample, schema=schema)
        call.schema = (response_model.__name__, schema)

        def accept(reply: Reply) -> M:
            text = reply_text(reply)
            try:
                return parse_model(text, response_model)
            except ReplyError as exc:
                reason = str(exc) if exc.kind == "invalid" else f"a reply with no usable JSON ({exc})"
                raise BadReply(reason, reply.raw_text, kind=exc.kind, content=reply.raw_text) from None

        value, _ = await self._run(call, accept)
        return value

    async def judge_yes_no(
        self, messages: Messages, *, stage: str, task: str = "judge", top_logprobs: int = 5
    ) -> list[TokenCandidate]:
        """Top-k candidates (most likely first) for the first token of a one-token reply."""
        call = self._call(messages, stage, task, 0.0, 1, logprobs=True, top_logprobs=top_logprobs)

        def accept(reply: Reply) -> list[TokenCandidate]:
            if not reply.top_logprobs:
                s = self.settings
                raise NoLogprobsError(
                    f"{s.env_prefix} endpoint {s.base_url} (model {s.model}) returns no logprobs; "
                    "use vLLM/SGLang/OpenAI, or run with judging skipped"
                )
            ranked = sorted(reply.top_logprobs, key=lambda c: c[1], reverse=True)
            return [TokenCandidate(token=t, logprob=lp) for t, lp in ranked]

        candidates, _ = await self._run(call, accept)
        return candidates

    async def probe_structured_output(self) -> tuple[Mode, dict[str, str]]:
        """The first of json_schema, json_object the endpoint takes (``off``: neither), and why each refused.

        One tiny request per mode, not cached; other errors (401, unreachable) raise.
        """
        messages = [{"role": "user", "content": 'Reply with the JSON object {"ok": true}.'}]
        refused: dict[str, str] = {}
        mode: Mode
        for mode in ("json_schema", "json_object"):
            body = {"model": self.model, "messages": messages, "temperature": 0.0, "max_tokens": max_tokens_for("probe"),
                    "response_format": response_format(mode, "probe", _PROBE_SCHEMA)}
            try:
                await self._transport.send(body, stage="doctor", task="ping", retry=False)
            except FormatRefused as exc:
                refused[mode] = str(exc)
                continue
            except BadReply:
                pass  # answered: the mode itself was taken
            return mode, refused
        return "off", refused

    async def served_models(self) -> list[dict[str, Any]]:
        """``GET /models`` of the endpoint (id, owned_by, …); raises openai errors as is."""
        return await self._transport.served_models()

    async def is_scripted(self) -> bool:
        """True when the endpoint is the scripted test server (its replies are canned)."""
        try:
            return any(m.get("owned_by") == SCRIPTED_OWNER for m in await self.served_models())
        except openai.OpenAIError:
            return False

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ----------------------------------------------------------------- the common path

    async def _run(self, call: Call, accept: Callable[[Reply], T]) -> tuple[T, Reply]:
        """Cache, then the request in flight, then ask; failures counted by reason."""
        try:
            hit = self._from_cache(call, accept)
            if hit is not None:
                return hit
            state = self._transport.state()
            while (leader := state.inflight.get(call.key)) is not None:
                try:
                    reply = await asyncio.shield(leader)
                except asyncio.CancelledError:
                    if leader.cancelled():
                        continue  # the request it waited for was given up: ask itself
                    raise
                except LLMError:
                    self._count(call.stage, deduped=1)
                    raise
                self._count(call.stage, deduped=1)
                return self._accept(call, accept, reply), reply
            future: asyncio.Future[Reply] = state.loop.create_future()
            state.inflight[call.key] = future
            try:
                value, reply = await self._ask(call, accept)
            except BaseException as exc:
                state.inflight.pop(call.key, None)
                if isinstance(exc, Exception):
                    future.set_exception(exc)
                    future.exception()  # retrieved: nobody may be waiting
                else:
                    future.cancel()
                raise
            if self.cache is not None:
                self.cache.put(call.key, reply.payload(), base_url=self._key_url, model=self._key_model, task=call.task)
            state.inflight.pop(call.key, None)
            future.set_result(reply)
            return value, reply
        except LLMError as exc:
            self.ledger.add_failure(call.stage, self.settings.role, self.model, exc.reason)
            raise

    def _from_cache(self, call: Call, accept: Callable[[Reply], T]) -> tuple[T, Reply] | None:
        """An accepted cached reply; one that no longer passes (older versions stored some) is ignored."""
        payload = self.cache.get(call.key) if self.cache is not None else None
        if payload is None:
            return None
        reply = Reply.from_payload(payload)
        try:
            check_truncation(reply, call.max_tokens)
            value = accept(reply)
        except BadReply as bad:
            log.warning("cached reply for task %s is not usable (%s); asking again", call.task, bad.reason)
            return None
        self._count(call.stage, cached=1)
        return value, reply

    def _accept(self, call: Call, accept: Callable[[Reply], T], reply: Reply) -> T:
        try:
            return accept(reply)
        except BadReply as bad:
            raise self._output_error(call, bad, 1) from None

    async def _ask(self, call: Call, accept: Callable[[Reply], T]) -> tuple[T, Reply]:
        """Ask until a reply is accepted: a truncated one once more with twice the budget,
        a rejected one up to ``max_reasks`` times with the error stated."""
        messages, temperature, budget = call.messages, call.temperature, call.max_tokens
        reasks = 0
        grown = False
        penalty: dict[str, float] = {}
        while True:
            sent = reasks + grown + 1
            try:
                reply = await self._send(call, {**call.body(self.model, messages, temperature, budget), **penalty})
                check_truncation(reply, budget)
                return accept(reply), reply
            except BadReply as bad:
                log.warning("%s gave %s for task %s", self.settings.describe(), bad.reason, call.task)
                if bad.kind == "truncated":
                    if grown or grown_budget(budget) == budget:
                        raise self._output_error(call, bad, sent) from None
                    # A reply cut off is most often a loop (a small model repeating list items); at
                    # temperature 0 a bigger budget only loops longer: some temperature and a
                    # repetition penalty give the one re-ask a chance.
                    grown, budget = True, grown_budget(budget)
                    temperature = reask_temperature(1, call.temperature)
                    penalty = {"frequency_penalty": TRUNCATION_FREQUENCY_PENALTY}
                else:
                    if reasks >= self.settings.max_reasks:
                        raise self._output_error(call, bad, sent) from None
                    reasks += 1
                    temperature = reask_temperature(reasks, call.temperature)
                    messages = follow_up(call.messages, bad, json=call.schema is not None)
                self._count(call.stage, reasks=1)

    async def _send(self, call: Call, body: dict[str, Any]) -> Reply:
        """One request; a structured call carries the ``response_format`` of the mode that works."""
        send = self._transport.send
        if call.schema is None:
            return await send(body, stage=call.stage, task=call.task)
        while True:
            mode = self._mode()
            fmt = response_format(mode, *call.schema)
            if fmt is None:
                return await send(body, stage=call.stage, task=call.task)
            confirmed = mode in self._confirmed
            try:
                # Until a mode has worked once, a refusal must not sit through the retries.
                reply = await send({**body, "response_format": fmt}, stage=call.stage, task=call.task, retry=confirmed)
            except FormatRefused as exc:
                self._step_down(mode, exc)
                self._count(call.stage, retries=1)
                continue
            except LLMError as exc:
                if confirmed or exc.reason in _FINAL or self.settings.max_retries == 0:
                    raise  # (unconfirmed: that try had no retries; the user's max_retries are given now)
                reply = await send({**body, "response_format": fmt}, stage=call.stage, task=call.task)
            self._confirmed.add(mode)
            return reply

    def _mode(self) -> Mode:
        mode = self.settings.structured_output
        return (self._modes.recall() or "json_schema") if mode == "auto" else mode

    def _step_down(self, mode: Mode, exc: FormatRefused) -> None:
        """After ``mode`` was refused: the next mode (auto) or an error naming the variable (a set mode)."""
        hint = fix_hint(self.settings.env_prefix, mode)
        if self.settings.structured_output != "auto":
            raise LLMError(f"{exc}; {hint}", reason=exc.reason) from None
        lower = next_mode(mode)
        if self._modes.remember(lower):
            log.warning("%s refuses response_format %s; using %s from now on (%s to skip this probe)",
                        self.settings.describe(), mode, lower, hint)

    def _output_error(self, call: Call, bad: BadReply, sent: int) -> LLMOutputError:
        asked = "once" if sent == 1 else f"{sent} times"
        return LLMOutputError(
            f"{self.settings.describe()} gave {bad.reason} for task {call.task!r}, asked {asked}; raw reply kept",
            raw=bad.raw, task=call.task, reason=bad.kind,
        )

    # ----------------------------------------------------------------- helpers

    def _call(
        self, messages: Messages, stage: str, task: str, temperature: float, max_tokens: int | None,
        *, sample: int = 0, schema: dict[str, Any] | None = None, **extra: Any,
    ) -> Call:
        budget = max_tokens if max_tokens is not None else max_tokens_for(task)
        params = {"temperature": temperature, "max_tokens": budget, **extra, "sample": sample, "response_format": schema}
        key = cache_key(self._key_url, self._key_model, messages, params)
        return Call(messages, stage, task, temperature, budget, key, extra)

    def _count(self, stage: str, **counts: int) -> None:
        self.ledger.add(stage, self.settings.role, self.model, **counts)
