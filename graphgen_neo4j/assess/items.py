"""What the quiz and the judge share: the items they walk, hashes, streaming LLM work.

Private to ``quiz.py`` and ``judge.py``; the public names are re-exported there.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from graphgen_neo4j.choices import LossStrategy
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.ids import sha256_hex
from graphgen_neo4j.llm import LLMClient, TokenLedger
from graphgen_neo4j.llm.pool import PoolOutcome, WorkPool
from graphgen_neo4j.progress import Progress

ItemKind = Literal["relation", "entity"]

PAGE_QUERIES: dict[ItemKind, str] = {"relation": "assess/relations_page", "entity": "assess/entities_page"}

T = TypeVar("T")
R = TypeVar("R")


class AssessItem(BaseModel):
    """A relation or an entity as the quiz and the judge read it (``assess/*_page.cypher``)."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: ItemKind
    description: str | None = None
    quiz_statements: list[str] | None = None
    quiz_labels: list[bool] | None = None
    quiz_source_hash: str | None = None
    quiz_samples: int | None = None
    loss: float | None = None
    loss_model: str | None = None
    judgement: dict[str, Any] | None = None  # the current trainee's Judgement node, if any

    def has_current_statements(self) -> bool:
        """Statements exist and were written from the description as it is now."""
        return (
            bool(self.description)
            and bool(self.quiz_statements)
            and self.quiz_labels is not None
            and len(self.quiz_labels) == len(self.quiz_statements or [])
            and self.quiz_source_hash == description_hash(self.description or "")
        )


class ItemFailure(BaseModel):
    """An item whose quiz or judgement failed; it is left as it was and tried again next run."""

    id: str
    kind: ItemKind
    error: str


# Failures kept in a report (the count is always complete).
MAX_FAILURES_KEPT = 20


class StageReport(BaseModel):
    """What the quiz and the judge both report."""

    items: int = 0  # examined
    failed: int = 0
    failures: list[ItemFailure] = []  # the first MAX_FAILURES_KEPT
    llm_calls: int = 0  # answered by the endpoint during this run
    cached_calls: int = 0  # answered from the response cache
    work: PoolOutcome | None = None  # the work pool's counts, failures by reason and verdict


def item_kinds(loss_strategy: LossStrategy) -> list[ItemKind]:
    """What ``loss_strategy`` uses: relations only, or relations and entities."""
    return ["relation", "entity"] if loss_strategy == "both" else ["relation"]


def description_hash(description: str) -> str:
    """``quiz_source_hash``: which description the statements were written from."""
    return sha256_hex(description)[:32]


def statements_hash(statements: Sequence[str], labels: Sequence[bool]) -> str:
    """Which statements (and labels) a judgement was made on."""
    return sha256_hex(json.dumps([list(statements), list(labels)], ensure_ascii=False))[:32]


def count_items(graph: Graph, kinds: Sequence[ItemKind]) -> dict[ItemKind, int]:
    row = graph.read("assess/count_items", {"include_entities": "entity" in kinds})[0]
    counts: dict[ItemKind, int] = {"relation": row["relations"]}
    if "entity" in kinds:
        counts["entity"] = row["entities"]
    return counts


def stage_calls(ledger: TokenLedger, stage: str) -> tuple[int, int]:
    """(calls answered by an endpoint, cache hits) of ``stage`` so far."""
    counts = ledger.stage_counts(stage)
    return counts["calls"], counts["cached"]


async def walk_items(
    *,
    graph: Graph,
    stage: str,
    kinds: Sequence[ItemKind],
    model: str | None,
    client: LLMClient,
    report: StageReport,
    progress: Progress,
    page_size: int,
    flush_every: int,
    select: Callable[[list[AssessItem]], list[AssessItem]],
    work: Callable[[AssessItem], Coroutine[Any, Any, R]],
    store: Callable[[ItemKind, list[R]], None],
) -> None:
    """Page through the items of ``kinds``; run ``work`` on those ``select`` picks, ``store`` the results.

    The work goes through one ``WorkPool`` (default policy: a bad reply or an endpoint
    error that outlived its retries fails the item, which is counted in the report and
    tried again next run; a rejected key, an unreachable endpoint, a trainee without
    logprobs… stop the stage with ``StageFailed``). ``report.work`` holds the pool's
    outcome. ``select`` (which also counts, in the report, what it leaves out) and
    ``store`` touch Neo4j, so they run off the event loop. LLM calls are read from the
    client's ledger (this stage, this run).

    **One window across pages.** The pool stays full from the first page to the last:
    the next page is read and submitted while the previous page's last items are still in
    flight (nothing waits for a page to finish), and results are stored in the background
    (``_Results``: every ``flush_every`` items, one write at a time), so submitting never
    waits for Neo4j either. What finished is stored on the way out, also when the stage
    stops or is cancelled, so nothing finished is lost; an item's result is stored or not
    at all, and a re-run picks up whatever is not stored, as before.
    """
    ledger = client.ledger
    calls_before = stage_calls(ledger, stage)

    def update_calls() -> int:
        calls, cached = stage_calls(ledger, stage)
        report.llm_calls, report.cached_calls = calls - calls_before[0], cached - calls_before[1]
        return report.llm_calls

    def failed(item: AssessItem) -> Callable[[str, BaseException], None]:
        def note(_reason: str, error: BaseException) -> None:
            report.failed += 1
            if len(report.failures) < MAX_FAILURES_KEPT:
                report.failures.append(ItemFailure(id=item.id, kind=item.kind, error=str(error)))
        return note

    pool: WorkPool[R] = WorkPool(stage, client=client, progress=progress, task=stage,
                                 fields=lambda: {"calls": update_calls()})
    report.work = pool.outcome
    results: _Results[R] = _Results(store, flush_every)
    counts = await asyncio.to_thread(count_items, graph, kinds)
    progress.start(stage, total=sum(counts.values()))
    try:
        async with pool:
            for kind in kinds:
                async for page in pages(graph, kind, model=model, page_size=page_size, wait=pool.guard):
                    report.items += len(page)
                    todo = await pool.guard(asyncio.to_thread(select, page))
                    progress.advance(stage, len(page) - len(todo))
                    for item in todo:
                        await pool.submit(work(item), on_done=functools.partial(results.add, kind),
                                          on_failed=failed(item))
    finally:
        try:
            await results.close()
        finally:
            update_calls()
            progress.finish(stage)


class _Results(Generic[R]):
    """Finished items' results, stored in the background: a write of what has gathered starts
    once ``flush_every`` results wait and no write is in flight (one at a time, off the event
    loop). A write that failed stops the pool (its error is raised by the next ``add``, an
    ``on_done`` callback) and is raised again by ``close``, which stores the rest."""

    def __init__(self, store: Callable[[ItemKind, list[R]], None], flush_every: int):
        self.store = store
        self.flush_every = flush_every
        self.waiting: dict[ItemKind, list[R]] = {}
        self.count = 0
        self.writing: asyncio.Future[None] | None = None

    def add(self, kind: ItemKind, result: R) -> None:
        self.waiting.setdefault(kind, []).append(result)
        self.count += 1
        if self.writing is not None and self.writing.done():
            writing, self.writing = self.writing, None
            writing.result()  # a failed write: raised here, it stops the pool
        if self.writing is None and self.count >= self.flush_every:
            self.writing = asyncio.ensure_future(asyncio.to_thread(self._store, self._take()))

    async def close(self) -> None:
        """Wait for the write in flight, then store what is left (also after an error)."""
        writing, self.writing = self.writing, None
        try:
            if writing is not None:
                await writing
        finally:
            if self.count:
                await asyncio.to_thread(self._store, self._take())

    def _take(self) -> dict[ItemKind, list[R]]:
        taken, self.waiting, self.count = self.waiting, {}, 0
        return taken

    def _store(self, rows: dict[ItemKind, list[R]]) -> None:
        for kind, kept in rows.items():
            self.store(kind, kept)


async def pages(
    graph: Graph, kind: ItemKind, *, model: str | None, page_size: int,
    wait: Callable[[Awaitable[Any]], Awaitable[Any]] | None = None,
) -> AsyncIterator[list[AssessItem]]:
    """Pages of non-excluded items in id order (with ``model``'s Judgement when given), read off the event loop.

    ``wait`` wraps each read (e.g. a pool's ``guard``, so a stopped stage does not wait for it)."""
    after = ""
    while True:
        read = asyncio.to_thread(graph.read, PAGE_QUERIES[kind], {"after": after, "limit": page_size, "model": model})
        rows = await (wait(read) if wait is not None else read)
        if not rows:
            return
        yield [AssessItem(kind=kind, **row) for row in rows]
        after = rows[-1]["id"]


async def gather_all(aws: Sequence[Awaitable[T]]) -> list[T]:
    """``asyncio.gather`` that cancels the others as soon as one fails."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
