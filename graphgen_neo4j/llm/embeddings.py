"""Text embeddings from an OpenAI-compatible ``POST /v1/embeddings`` endpoint (optional).

Configured like the synthesizer, by ``EMBEDDING_BASE_URL``, ``EMBEDDING_MODEL`` and
``EMBEDDING_API_KEY`` (plus ``EMBEDDING_TIMEOUT``, ``EMBEDDING_MAX_RETRIES``,
``EMBEDDING_MAX_CONCURRENCY``)::

    client = EmbeddingClient(EndpointSettings.from_env("embedding"), cache=ResponseCache(), ledger=ledger)
    vectors = await client.embed(["稻瘟病 rice blast …", …], stage="resolve")

Each text is cached on its own (the response cache, key: URL, model, text), so a later run
embeds only new or changed texts; texts go in batches of ``batch_size`` per request. Every
request is a call in the ledger (role ``embedding``; prompt tokens as the server reports
them). Errors end the work with one line: key rejected, model not served, server unreachable.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping, Sequence

import openai

from graphgen_neo4j.errors import LLMError
from graphgen_neo4j.llm.cache import ResponseCache, cache_key
from graphgen_neo4j.llm.endpoints import pool_identity
from graphgen_neo4j.llm.ledger import TokenLedger
from graphgen_neo4j.llm.pooled import failover_kind
from graphgen_neo4j.llm.routing import DOWN, SERVER_ERROR, Router
from graphgen_neo4j.llm.settings import EndpointSettings

TASK = "embedding"


def embedding_configured(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``EMBEDDING_BASE_URL`` or ``EMBEDDING_MODEL`` is set."""
    env = os.environ if environ is None else environ
    return bool(env.get("EMBEDDING_BASE_URL", "").strip() or env.get("EMBEDDING_MODEL", "").strip())


class EmbeddingClient:
    """Embeds texts with one endpoint; cached per text, counted in the ledger."""

    def __init__(self, settings: EndpointSettings | Sequence[EndpointSettings], *, cache: ResponseCache | None = None,
                 ledger: TokenLedger | None = None, batch_size: int = 32):
        endpoints = [settings] if isinstance(settings, EndpointSettings) else list(settings)
        self.settings = endpoints[0]
        self.cache = cache
        self.ledger = ledger or TokenLedger()
        self.batch_size = batch_size
        self._client: openai.AsyncOpenAI | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # A pool (EMBEDDING_BASE_URL=a,b): each batch to the least-loaded healthy endpoint, see llm/pooled.py.
        self._pool = EmbeddingPool(endpoints, self.ledger) if len(endpoints) > 1 else None
        self._key_url, self._key_model = pool_identity(endpoints)

    @property
    def model(self) -> str:
        return self.settings.model

    def describe(self) -> str:
        return self.settings.describe()

    def _key(self, text: str) -> str:
        return cache_key(self._key_url, self._key_model, [{"role": "input", "content": text}], {"task": TASK})

    async def embed(self, texts: Sequence[str], *, stage: str) -> list[list[float]]:
        """One vector per text, in order."""
        vectors: dict[int, list[float]] = {}
        missing: list[int] = []
        for i, text in enumerate(texts):
            cached = self.cache.get(self._key(text)) if self.cache is not None else None
            if cached is not None:
                vectors[i] = cached["embedding"]
            else:
                missing.append(i)
        if len(missing) < len(texts):
            self.ledger.add(stage, self.settings.role, self.model, cached=len(texts) - len(missing))
        batches = [missing[s:s + self.batch_size] for s in range(0, len(missing), self.batch_size)]
        semaphore = asyncio.Semaphore(self.settings.max_concurrency if self._pool is None else len(batches) or 1)

        async def run(batch: list[int]) -> None:
            async with semaphore:
                if self._pool is not None:
                    got = await self._pool.embed([texts[i] for i in batch], stage)
                else:
                    got = await self._request([texts[i] for i in batch], stage)
            for i, vector in zip(batch, got):
                vectors[i] = vector
                if self.cache is not None:
                    self.cache.put(self._key(texts[i]), {"embedding": vector}, base_url=self._key_url, model=self._key_model, task=TASK)

        await asyncio.gather(*(run(b) for b in batches))
        return [vectors[i] for i in range(len(texts))]

    async def _request(self, batch: list[str], stage: str) -> list[list[float]]:
        try:
            response = await self._openai().embeddings.create(model=self.model, input=batch, encoding_format="float")
        except openai.OpenAIError as exc:
            self.ledger.add(stage, self.settings.role, self.model, failures=1)
            raise self._error(exc) from None
        data = sorted(response.data, key=lambda d: d.index)
        if len(data) != len(batch) or any(not d.embedding for d in data):
            self.ledger.add(stage, self.settings.role, self.model, failures=1)
            raise LLMError(f"{self.describe()} returned {len(data)} embeddings for {len(batch)} texts: is it an embedding model?")
        tokens = response.usage.prompt_tokens if response.usage else 0
        self.ledger.add(stage, self.settings.role, self.model, calls=1, prompt_tokens=tokens)
        return [list(map(float, d.embedding)) for d in data]

    def _openai(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:  # a client belongs to the loop it was made on
            self._loop = loop
            s = self.settings
            self._client = openai.AsyncOpenAI(api_key=s.api_key.get_secret_value(), base_url=s.base_url,
                                              timeout=s.timeout, max_retries=s.max_retries,
                                              http_client=openai.DefaultAsyncHttpxClient())
        return self._client

    def _error(self, exc: openai.OpenAIError) -> LLMError:
        s = self.settings
        where = f"{s.base_url} for model {s.model}"
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return LLMError(f"API key rejected by {where}: set {s.key_var}", reason="HTTP 401")
        if isinstance(exc, openai.NotFoundError):
            return LLMError(f"{where} has no embeddings (HTTP 404): check EMBEDDING_BASE_URL ends in /v1 and EMBEDDING_MODEL")
        if isinstance(exc, openai.APIStatusError):
            return LLMError(f"{where} failed embedding (HTTP {exc.status_code}): {exc.message}",
                            reason=f"HTTP {exc.status_code}")
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(f"no embeddings from {where} within {s.timeout:g} s: raise EMBEDDING_TIMEOUT", reason="timeout")
        return LLMError(f"cannot connect to {s.base_url} (EMBEDDING_BASE_URL): is the server running? ({exc})",
                        reason="unreachable")

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.close()
            self._client = None

    async def __aenter__(self) -> EmbeddingClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class EmbeddingPool:
    """Batches over several embedding endpoints: the least-loaded healthy one takes each; one that
    cannot be reached, times out or fails with 5xx is taken out for a while and the batch goes elsewhere."""

    def __init__(self, endpoints: list[EndpointSettings], ledger: TokenLedger):
        self.members = [EmbeddingClient(s, ledger=ledger) for s in endpoints]
        self.router = Router([s.max_concurrency for s in endpoints])
        self.ledger = ledger
        self._free = asyncio.Condition()

    async def embed(self, batch: list[str], stage: str) -> list[list[float]]:
        tried: set[int] = set()
        last: LLMError | None = None
        for _ in range(self.members[0].settings.max_retries + len(self.members)):
            index = await self._acquire(tried)
            tried.add(index)
            member = self.members[index]
            s = member.settings
            started = time.monotonic()
            try:
                vectors = await member._request(batch, stage)
            except LLMError as exc:
                kind = failover_kind(exc)
                taken_out = self.router.fail(index, kind) if kind in (DOWN, SERVER_ERROR) else False
                if kind not in (DOWN, SERVER_ERROR):
                    self.router.release(index)
                await self._done(s, started, errors=1, outages=int(taken_out))
                if kind is None:
                    raise
                last = exc
                continue
            self.router.succeed(index)
            await self._done(s, started, calls=1)
            return vectors
        assert last is not None
        raise last

    async def _done(self, s: EndpointSettings, started: float, **counts: int) -> None:
        busy_ms = int((time.monotonic() - started) * 1000)
        self.ledger.add_endpoint(s.role, s.base_url, s.model, requests=1, busy_ms=busy_ms, **counts)
        async with self._free:
            self._free.notify_all()

    async def _acquire(self, avoid: set[int]) -> int:
        async with self._free:
            while (index := self.router.pick(avoid)) is None:
                try:
                    await asyncio.wait_for(self._free.wait(), timeout=self.router.next_return())
                except TimeoutError:
                    pass
            self.router.begin(index)
            return index

    async def aclose(self) -> None:
        for member in self.members:
            await member.aclose()
