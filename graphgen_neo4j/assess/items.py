"""What the quiz and the judge share: the items they walk, hashes, streaming LLM work.

Private to ``quiz.py`` and ``judge.py``; the public names are re-exported there.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from graphgen_neo4j.choices import LossStrategy
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import LLMOutputError
from graphgen_neo4j.ids import sha256_hex
from graphgen_neo4j.llm import TokenLedger
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
    row = graph.read("assess/count_items", include_entities="entity" in kinds)[0]
    counts: dict[ItemKind, int] = {"relation": row["relations"]}
    if "entity" in kinds:
        counts["entity"] = row["entities"]
    return counts


def iter_pages(graph: Graph, kind: ItemKind, *, model: str | None, page_size: int) -> Iterator[list[AssessItem]]:
    """Pages of non-excluded items in id order (with ``model``'s Judgement when given)."""
    after = ""
    while True:
        rows = graph.read(PAGE_QUERIES[kind], after=after, limit=page_size, model=model)
        if not rows:
            return
        yield [AssessItem(kind=kind, **row) for row in rows]
        after = rows[-1]["id"]


def stage_calls(ledger: TokenLedger, stage: str) -> tuple[int, int]:
    """(calls answered by an endpoint, cache hits) of ``stage`` so far."""
    rows = [row for row in ledger.rows() if row.stage == stage]
    return sum(r.calls for r in rows), sum(r.cached for r in rows)


async def walk_items(
    *,
    graph: Graph,
    stage: str,
    kinds: Sequence[ItemKind],
    model: str | None,
    ledger: TokenLedger,
    report: StageReport,
    progress: Progress,
    page_size: int,
    flush_every: int,
    select: Callable[[list[AssessItem]], list[AssessItem]],
    work: Callable[[AssessItem], Awaitable[R]],
    store: Callable[[ItemKind, list[R]], None],
) -> None:
    """Page through the items of ``kinds``; run ``work`` on those ``select`` picks, ``store`` the results.

    ``select`` also counts, in the report, what it leaves out. Failed items are counted
    in ``report``; LLM calls are read from ``ledger`` (this stage's rows, this run only).
    """
    calls_before = stage_calls(ledger, stage)

    def update_calls() -> None:
        calls, cached = stage_calls(ledger, stage)
        report.llm_calls, report.cached_calls = calls - calls_before[0], cached - calls_before[1]

    def failed(item: AssessItem, error: LLMOutputError) -> None:
        report.failed += 1
        if len(report.failures) < MAX_FAILURES_KEPT:
            report.failures.append(ItemFailure(id=item.id, kind=item.kind, error=str(error)))

    def advanced() -> None:
        update_calls()
        progress.advance(stage, 1, calls=report.llm_calls, failed=report.failed)

    progress.start(stage, total=sum(count_items(graph, kinds).values()))
    try:
        for kind in kinds:
            for page in iter_pages(graph, kind, model=model, page_size=page_size):
                report.items += len(page)
                todo = select(page)
                progress.advance(stage, len(page) - len(todo))
                await stream_results(todo, work, flush=lambda rows, kind=kind: store(kind, rows),
                                     flush_every=flush_every, on_failure=failed, after_each=advanced)
    finally:
        update_calls()
        progress.finish(stage)


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


async def stream_results(
    items: Sequence[T],
    work: Callable[[T], Awaitable[R]],
    *,
    flush: Callable[[list[R]], None],
    flush_every: int,
    on_failure: Callable[[T, LLMOutputError], None],
    after_each: Callable[[], None],
) -> None:
    """Run ``work`` on every item concurrently, writing results as they arrive.

    The LLM client's own limit decides how many calls are in flight. Results are
    flushed every ``flush_every`` items and on the way out, also when an error stops
    the run, so an interrupted run loses nothing it had finished. An unusable reply
    (``LLMOutputError``) fails its item only; any other error stops everything.
    """
    pending = {asyncio.ensure_future(work(item)): item for item in items}
    buffer: list[R] = []
    try:
        while pending:
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            fatal: BaseException | None = None
            for task in done:
                item = pending.pop(task)
                error = task.exception()
                if error is None:
                    buffer.append(task.result())
                elif isinstance(error, LLMOutputError):
                    on_failure(item, error)
                else:
                    fatal = fatal or error
                    continue
                after_each()
            if fatal is not None:
                raise fatal
            if len(buffer) >= flush_every:
                flush(buffer)
                buffer = []
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if buffer:
            flush(buffer)
