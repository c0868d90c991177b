"""A transport over a pool of endpoints: each request goes to the least-loaded healthy one.

``PoolTransport`` has ``Transport``'s interface, so ``LLMClient`` (cache, single-flight,
re-asks, structured output) and the stages do not know whether one endpoint answers or
twelve. Per request:

* it waits for a free slot (each endpoint's ``max_concurrency``) on a healthy endpoint,
  the least loaded first (``routing.Router``), and sends there with that endpoint's
  model name, key and RPM/TPM limits — one HTTP attempt, the pool does the retrying;
* an endpoint that cannot be reached or times out is taken out for a back-off period
  (a 5xx streak too), and the request — like every other it had in flight — is sent
  again to another endpoint; a 5xx or 429 is sent again as well, up to
  ``max_retries`` + the pool size attempts; when every endpoint is out it waits for
  the first to come back;
* a rejected key (401), access (403) or model (404) stops there: the error names the
  endpoint and the variable to fix, and the work pool stops the stage on it;
* a trainee pool is checked once, before its first request, to serve one model
  (``GET /models`` of each endpoint, where it answers).

Per endpoint the ledger counts calls, requests, errors, tokens, outages and busy time
(``TokenLedger.endpoint_rows``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

import openai

from graphgen_neo4j.errors import LLMError
from graphgen_neo4j.llm.failures import MODEL_MISMATCH
from graphgen_neo4j.llm.ledger import TokenLedger
from graphgen_neo4j.llm.routing import DOWN, SERVER_ERROR, FailureKind, Router
from graphgen_neo4j.llm.settings import EndpointSettings
from graphgen_neo4j.llm.transport import BadReply, LoopState, Reply, Transport

RATE_LIMITED = "rate limited"


def failover_kind(error: LLMError) -> FailureKind | str | None:
    """How the pool treats a failed request: DOWN, SERVER_ERROR or RATE_LIMITED (send again),
    None (the request or the key is at fault: raise)."""
    reason = str(getattr(error, "reason", "") or "")
    if reason in ("unreachable", "timeout"):
        return DOWN
    if reason.startswith("HTTP 5"):
        return SERVER_ERROR
    if reason == "HTTP 429":
        return RATE_LIMITED
    return None


def model_mismatch(role: str, listings: dict[str, tuple[str, list[dict[str, Any]]]]) -> str | None:
    """Why the endpoints of a one-model pool do not serve one model, or None.

    ``listings``: base URL → (its configured model, its ``GET /models`` entries). An
    endpoint that lists models but not its own is a mismatch; so are entries for the
    model that name different weights (vLLM's ``root``)."""
    prefix = role.upper()
    roots: dict[str, str] = {}
    for url, (model, entries) in listings.items():
        entry = next((m for m in entries if str(m.get("id")) == model), None)
        if entries and entry is None:
            served = ", ".join(str(m.get("id")) for m in entries[:5])
            return (f"{prefix} endpoint {url} does not serve {model!r} (it serves {served}): a {role} pool must be "
                    f"one model; fix {prefix}_MODEL or that endpoint")
        if entry is not None and entry.get("root"):
            roots[url] = str(entry["root"])
    if len(set(roots.values())) > 1:
        shown = ", ".join(f"{url} → {root}" for url, root in roots.items())
        return (f"the {role} pool serves different weights under one name ({shown}): losses from different models "
                f"are not comparable; serve the same model on every {prefix} endpoint")
    return None


class PoolTransport:
    """Sends bodies to the endpoints of a pool (see the module docstring)."""

    def __init__(self, endpoints: list[EndpointSettings], ledger: TokenLedger, rate_period: float = 60.0, *,
                 one_model: bool = False, router: Router | None = None):
        self.endpoints = endpoints
        self.settings = endpoints[0]
        self.ledger = ledger
        self.one_model = one_model
        self.members = [Transport(s, ledger, rate_period) for s in endpoints]
        self.router = router or Router([s.max_concurrency for s in endpoints])
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._checked: tuple[asyncio.AbstractEventLoop, asyncio.Task[None]] | None = None

    def state(self) -> LoopState:
        """The per-loop state the client keeps its requests in flight in (the first member's)."""
        return self.members[0].state()

    def estimate_tokens(self, body: dict[str, Any], *, completion: bool = True) -> int:
        return self.members[0].estimate_tokens(body, completion=completion)

    async def aclose(self) -> None:
        for member in self.members:
            await member.aclose()

    async def served_models(self) -> list[dict[str, Any]]:
        """The models every endpoint that answers lists (each once); the first error when none answers."""
        seen: dict[str, dict[str, Any]] = {}
        errors: list[openai.OpenAIError] = []
        for member in self.members:
            try:
                for model in await member.served_models():
                    seen.setdefault(str(model.get("id")), model)
            except openai.OpenAIError as exc:
                errors.append(exc)
        if errors and len(errors) == len(self.members):
            raise errors[0]
        return list(seen.values())

    async def send(self, body: dict[str, Any], *, stage: str, task: str, retry: bool = True) -> Reply:
        """One logical request: sent to an endpoint, and to others while endpoints fail."""
        if self.one_model:
            await self._check_models()
        budget = self.settings.max_retries + len(self.members) if retry else 1
        tried: set[int] = set()
        last: LLMError | None = None
        for attempt in range(budget):
            index = await self._acquire(tried)
            tried.add(index)
            try:
                return await self._send_to(index, body, stage, task, resend=attempt > 0)
            except LLMError as exc:
                kind = failover_kind(exc)
                if kind is None:
                    raise
                last = exc
                if kind == RATE_LIMITED:
                    await asyncio.sleep(min(0.25 * 2**attempt, 8.0))
        assert last is not None
        raise last

    # ----------------------------------------------------------------- internals

    async def _send_to(self, index: int, body: dict[str, Any], stage: str, task: str, *, resend: bool) -> Reply:
        member = self.members[index]
        s = member.settings
        if resend:
            self.ledger.add(stage, s.role, s.model, retries=1)
        started = time.monotonic()
        try:
            reply = await member.send({**body, "model": s.model}, stage=stage, task=task, retry=False)
        except BadReply:
            self.router.succeed(index)  # it answered
            self._record(index, started, calls=1)
            raise
        except LLMError as exc:
            kind = failover_kind(exc)
            if kind in (DOWN, SERVER_ERROR):
                taken_out = self.router.fail(index, kind)
                self._record(index, started, errors=1, outages=int(taken_out))
            else:
                self.router.release(index)
                self._record(index, started, errors=1)
            raise
        except BaseException:
            self.router.release(index)
            self._record(index, started)
            raise
        self.router.succeed(index)
        self._record(index, started, calls=1, prompt_tokens=reply.prompt_tokens,
                     completion_tokens=reply.completion_tokens)
        return reply

    def _record(self, index: int, started: float, **counts: int) -> None:
        s = self.members[index].settings
        busy_ms = int((time.monotonic() - started) * 1000)
        self.ledger.add_endpoint(s.role, s.base_url, s.model, requests=1, busy_ms=busy_ms, **counts)
        self._wake()

    def _wake(self) -> None:
        """A slot freed (or an endpoint changed state): wake the request that has waited longest."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _acquire(self, avoid: set[int]) -> int:
        """A slot on the endpoint to send to (those in ``avoid`` only when no other is free)."""
        while True:
            index = self.router.pick(avoid)
            if index is not None:
                self.router.begin(index)
                return index
            # Wait for a slot, first come first served; or for an endpoint that is out to come back.
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, timeout=self.router.next_return())
            except TimeoutError:
                pass
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # woken but given up: the slot goes to the next one
                raise
            finally:
                if not waiter.done():
                    waiter.cancel()

    async def _check_models(self) -> None:
        loop = asyncio.get_running_loop()
        if self._checked is None or self._checked[0] is not loop:
            self._checked = (loop, loop.create_task(self._probe_models()))
        await asyncio.shield(self._checked[1])

    async def _probe_models(self) -> None:
        listings: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        for member in self.members:
            try:
                listings[member.settings.base_url] = (member.settings.model, await member.served_models())
            except openai.OpenAIError:
                continue  # no listing (or not reachable now): its configured name is all there is
        problem = model_mismatch(self.settings.role, listings)
        if problem is not None:
            raise LLMError(problem, reason=MODEL_MISMATCH)
