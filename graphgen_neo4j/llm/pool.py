"""One work pool for every LLM fan-out, with an explicit failure policy.

    pool = WorkPool("quiz", client=synthesizer, policy=OnError(), progress=progress, task="quiz")
    async with pool:
        for item in items:
            await pool.submit(write_one(item), on_done=keep, on_failed=note)
    pool.outcome.raise_if_failed()      # StageFailed when every item failed

Extraction and gleaning, summaries, the quiz, the judge, generation and the resolver
all hand their items to a ``WorkPool``. It lives in ``llm/`` because what it bounds and
classifies is LLM work: its window comes from the client's own limit
(``<ROLE>_MAX_CONCURRENCY``; the client's semaphore and RPM/TPM buckets stay the only
limit on requests, the pool only keeps enough items in flight to fill them), and its
failure reasons are read off the client's errors.

What an error does is decided here, once, by its reason (``failure_reason``):

* a reason in ``OnError.fail_item`` (by default a bad or truncated reply, and an
  endpoint that still answers 5xx, 429, 400 or times out after its retries) fails that
  item only: it is counted and handed to ``on_failed``; the others go on;
* a fatal reason (``FATAL``: key rejected 401, access denied 403, model not served 404,
  endpoint unreachable, a trainee without logprobs, Neo4j unavailable) stops the stage
  at once with ``StageFailed``, one line naming the endpoint, the variable and the fix
  (the client's and the graph's messages already do);
* ``OnError.max_consecutive`` failed items in a row stop it too (extraction uses it);
* an error with no reason (a bug) propagates unchanged.

Every way out cancels what is still in flight and waits for it, so the stage's own
``finally`` can store what finished. ``PoolOutcome`` is the typed result: done and
failed counts, failures by reason, and a verdict: ok, partial (some items failed),
failed (every item failed: ``raise_if_failed`` turns it into ``StageFailed``) or
stopped.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from graphgen_neo4j.errors import StageFailed
from graphgen_neo4j.llm.failures import (  # the reasons are re-exported: stages read them from the pool
    BAD_REPLY,
    FATAL,
    ITEM_REASONS,
    KEY_REJECTED,
    MODEL_NOT_SERVED,
    NEO4J_UNAVAILABLE,
    NO_LOGPROBS,
    RATE_LIMITED,
    REJECTED,
    SERVER_ERROR,
    TIMEOUT,
    UNREACHABLE,
    ItemFailed,
    failure_reason,
)
from graphgen_neo4j.progress import NullProgress, Progress

R = TypeVar("R")


Verdict = Literal["ok", "partial", "failed", "stopped"]


class OnError(BaseModel):
    """A stage's failure policy: which reasons fail one item; every other known reason stops the stage."""

    model_config = ConfigDict(frozen=True)

    fail_item: frozenset[str] = ITEM_REASONS
    max_consecutive: int | None = Field(None, ge=1, description="stop after this many failed items in a row")

    @field_validator("fail_item")
    @classmethod
    def _fatal_always_stops(cls, value: frozenset[str]) -> frozenset[str]:
        fatal = sorted(value & FATAL)
        if fatal:
            raise ValueError(f"{', '.join(fatal)} always stop the stage; they cannot fail one item")
        return value


class PoolOutcome(BaseModel):
    """What a stage's fan-out did: items done and failed, failures by reason, the verdict."""

    stage: str
    what: str = "items"
    done: int = 0
    failed: int = 0
    reasons: Counter[str] = Field(default_factory=Counter)
    last_error: str | None = None
    stopped: str | None = None  # why the stage stopped early (one line), if it did
    endpoint: str | None = None  # the client's describe(), for messages
    env_prefix: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verdict(self) -> Verdict:
        if self.stopped is not None:
            return "stopped"
        if self.failed and not self.done:
            return "failed"
        return "partial" if self.failed else "ok"

    def reasons_text(self) -> str:
        """``3 × server error, 1 × bad reply`` (most frequent first), or ``none``."""
        return ", ".join(f"{n} × {reason}" for reason, n in self.reasons.most_common()) or "none"

    def failure_line(self) -> str:
        """One line for a failed or stopped stage: what, where, the fix."""
        if self.stopped is not None:
            return f"stopped after {self.done} {self.what} done, {self.failed} failed: {self.stopped}"
        return (f"all {self.failed} {self.what} failed ({self.reasons_text()}); last: {self.last_error} — "
                f"{self.fix()}; work done before is kept, run again once fixed")

    def fix(self) -> str:
        p = self.env_prefix or "SYNTHESIZER"
        where = self.endpoint or f"the {p.lower()} endpoint"
        top = self.reasons.most_common(1)[0][0] if self.reasons else None
        return {
            BAD_REPLY: f"{where} gives no usable replies: set {p}_MODEL to an instruction model, or {p}_STRUCTURED_OUTPUT=off",
            SERVER_ERROR: f"{where} keeps failing (HTTP 5xx): check the server or point {p}_BASE_URL at a working one",
            TIMEOUT: f"{where} does not answer in time: raise {p}_TIMEOUT or lower {p}_MAX_CONCURRENCY",
            RATE_LIMITED: f"{where} rate-limits every request: lower {p}_MAX_CONCURRENCY or set {p}_RPM / {p}_TPM",
            REJECTED: f"{where} rejects the requests: check {p}_MODEL and {p}_STRUCTURED_OUTPUT",
        }.get(top or "", f"check {where} ({p}_BASE_URL, {p}_MODEL, {p}_API_KEY)")

    def warning_line(self) -> str | None:
        """For a partial stage: the figures, and that the failed items are retried next run."""
        if self.verdict != "partial":
            return None
        return (f"{self.stage}: {self.failed} of {self.done + self.failed} {self.what} failed ({self.reasons_text()}); "
                "they are tried again on the next run")

    def raise_if_failed(self) -> None:
        """``StageFailed`` when the stage stopped or every item failed."""
        if self.verdict in ("failed", "stopped"):
            raise StageFailed(self.stage, self.failure_line(), outcome=self)

    def combined(self, other: PoolOutcome) -> PoolOutcome:
        """This stage's outcome with a sub-step's (e.g. summaries after extraction) added."""
        reasons = Counter(self.reasons)
        reasons.update({f"{other.stage}: {r}": n for r, n in other.reasons.items()})
        what = f"{self.what} and {other.what}" if other.done or other.failed else self.what
        return self.model_copy(update={
            "what": what, "done": self.done + other.done, "failed": self.failed + other.failed, "reasons": reasons,
            "last_error": other.last_error or self.last_error, "stopped": self.stopped or other.stopped,
        })


OnDone = Callable[[Any], Awaitable[None] | None]
OnFailed = Callable[[str, BaseException], Awaitable[None] | None]


class WorkPool(Generic[R]):
    """Runs submitted coroutines a window at a time under one failure policy (see the module docstring).

    Each item settles in its own task as soon as it ends (``on_done`` / ``on_failed``
    run there, so a consumer waiting for results is never starved). A stop (fatal
    error, too many failures in a row, an error in a callback) cancels what is in
    flight and is raised by the next ``submit``, ``drain`` or ``guard`` — ``guard``
    wraps anything else the feeding loop waits on, so a stop cannot leave it blocked.

    ``window``: items in flight at once, by default twice the client's
    ``max_concurrency`` — summed over the endpoints of a pool — (enough to keep every
    endpoint's slots busy while results are handled).
    ``progress``/``task``: one ``advance`` per settled item, with ``failed`` and
    whatever ``fields()`` adds.
    """

    def __init__(
        self,
        stage: str,
        *,
        client: Any = None,
        policy: OnError | None = None,
        progress: Progress | None = None,
        task: str | None = None,
        what: str = "items",
        window: int | None = None,
        fields: Callable[[], dict[str, object]] | None = None,
    ):
        settings = getattr(client, "settings", None)
        # A pool of endpoints takes the sum of their limits at once: its window is twice that.
        limits = [getattr(s, "max_concurrency", None) for s in (getattr(client, "endpoints", None) or [settings])]
        self.window = window or 2 * (sum(limit for limit in limits if limit) or 8)
        self.policy = policy or OnError()
        self.progress = progress or NullProgress()
        self.task = task
        self.fields = fields
        self.outcome = PoolOutcome(
            stage=stage, what=what,
            endpoint=settings.describe() if settings is not None else None,
            env_prefix=settings.env_prefix if settings is not None else None,
        )
        self._running: set[asyncio.Task[None]] = set()
        self._in_a_row = 0
        self._error: BaseException | None = None
        self._changed: asyncio.Event | None = None  # an item ended, or the pool stopped
        self._stopped: asyncio.Event | None = None

    @property
    def in_flight(self) -> int:
        return len(self._running)

    async def submit(
        self, work: Coroutine[Any, Any, R], *, on_done: OnDone | None = None, on_failed: OnFailed | None = None
    ) -> None:
        """Start ``work`` once the window has room; raises the pool's stop error, if any."""
        try:
            while len(self._running) >= self.window and self._error is None:
                await self._wait_change()
            self._check()
        except BaseException:
            work.close()  # never started: no "coroutine was never awaited"
            raise
        task = asyncio.ensure_future(self._settle(work, on_done, on_failed))
        self._running.add(task)
        task.add_done_callback(self._ended)

    async def drain(self) -> None:
        """Wait for every item submitted so far; raises the pool's stop error, if any."""
        while self._running and self._error is None:
            await self._wait_change()
        self._check()

    async def guard(self, awaitable: Awaitable[Any]) -> Any:
        """Await ``awaitable`` unless the pool stops first (then it is cancelled and the stop raised)."""
        waited = asyncio.ensure_future(awaitable)
        stopped = asyncio.ensure_future(self._events()[1].wait())
        try:
            await asyncio.wait({waited, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            if not waited.done():
                waited.cancel()
                await asyncio.gather(waited, return_exceptions=True)
        self._check()
        return waited.result()

    async def __aenter__(self) -> WorkPool[R]:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                await self.drain()
        finally:
            await self._cancel()

    # ------------------------------------------------------------------ settling

    async def _settle(self, work: Coroutine[Any, Any, R], on_done: OnDone | None, on_failed: OnFailed | None) -> None:
        try:
            try:
                value = await work
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - classified by the policy
                await self._failed(error, on_failed)
            else:
                await self._done(value, on_done)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - a stop, or an error in a callback: stops the pool
            self._stop(error)

    async def _done(self, value: Any, on_done: OnDone | None) -> None:
        self.outcome.done += 1
        self._in_a_row = 0
        await _call(on_done, value)
        self._advance()

    async def _failed(self, error: Exception, on_failed: OnFailed | None) -> None:
        reason = failure_reason(error)
        if reason is None:
            raise error
        self.outcome.reasons[reason] += 1
        self.outcome.last_error = str(error)
        if reason not in self.policy.fail_item:
            self.outcome.stopped = str(error)
            raise StageFailed(self.outcome.stage, self.outcome.failure_line(), outcome=self.outcome) from error
        self.outcome.failed += 1
        self._in_a_row += 1
        await _call(on_failed, reason, error)
        self._advance()
        limit = self.policy.max_consecutive
        if limit is not None and self._in_a_row >= limit:
            self.outcome.stopped = (f"{self._in_a_row} {self.outcome.what} failed in a row, the last with: {error} — "
                                    f"{self.outcome.fix()}")
            raise StageFailed(self.outcome.stage, self.outcome.failure_line(), outcome=self.outcome)

    def _advance(self) -> None:
        if self.task is None:
            return
        extra = self.fields() if self.fields is not None else {}
        self.progress.advance(self.task, 1, **extra, failed=self.outcome.failed)

    def _stop(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
        changed, stopped = self._events()
        changed.set()
        stopped.set()
        current = asyncio.current_task()
        for task in self._running:
            if task is not current:
                task.cancel()

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._events()[0].set()

    def _events(self) -> tuple[asyncio.Event, asyncio.Event]:
        if self._changed is None or self._stopped is None:  # made on first use, inside the running loop
            self._changed, self._stopped = asyncio.Event(), asyncio.Event()
        return self._changed, self._stopped

    async def _wait_change(self) -> None:
        changed = self._events()[0]
        changed.clear()
        await changed.wait()

    async def _cancel(self) -> None:
        tasks = list(self._running)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


async def _call(callback: Callable[..., Any] | None, *args: Any) -> None:
    if callback is None:
        return
    result = callback(*args)
    if inspect.isawaitable(result):
        await result


__all__ = [
    "BAD_REPLY", "FATAL", "ITEM_REASONS", "KEY_REJECTED", "MODEL_NOT_SERVED", "NEO4J_UNAVAILABLE", "NO_LOGPROBS",
    "SERVER_ERROR", "UNREACHABLE", "ItemFailed", "OnError", "PoolOutcome", "Verdict", "WorkPool", "failure_reason",
]
