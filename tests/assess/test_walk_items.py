"""How the quiz and the judge keep the pool full: one window across pages, results stored
in the background. No database and no LLM: a stand-in graph serves the pages, and the
work is plain coroutines."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

from graphgen_neo4j.assess.items import AssessItem, StageReport, walk_items
from graphgen_neo4j.llm import TokenLedger
from graphgen_neo4j.progress import NullProgress

WAIT = 3.0  # seconds a test waits for something that, with a barrier, would never come


class PagedGraph:
    """Serves ``assess/count_items`` and ``assess/relations_page`` from a list of ids."""

    def __init__(self, ids: list[str]):
        self.ids = sorted(ids)

    def read(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        params = params or {}
        if name == "assess/count_items":
            return [{"relations": len(self.ids), "entities": 0}]
        assert name == "assess/relations_page", name
        after = [i for i in self.ids if i > params["after"]][: params["limit"]]
        return [{"id": i, "description": f"{i} is a relation."} for i in after]


def client(max_concurrency: int | None = None) -> Any:
    """What ``walk_items`` and its pool read off a client: the ledger, and the window's limit."""
    settings = None
    if max_concurrency is not None:
        settings = SimpleNamespace(max_concurrency=max_concurrency, describe=lambda: "stand-in", env_prefix="SYNTHESIZER")
    return SimpleNamespace(ledger=TokenLedger(), settings=settings)


async def walk(graph: PagedGraph, work, store, *, page_size: int, flush_every: int, max_concurrency=None) -> None:
    await walk_items(graph=graph, stage="quiz", kinds=["relation"], model=None, client=client(max_concurrency),  # type: ignore[arg-type]
                     report=StageReport(), progress=NullProgress(), page_size=page_size, flush_every=flush_every,
                     select=lambda page: page, work=work, store=store)


async def test_the_next_page_is_submitted_while_the_last_items_of_a_page_are_in_flight() -> None:
    graph = PagedGraph(["r0", "r1", "r2", "r3"])
    second_page_started = asyncio.Event()
    stored: list[tuple[str, bool]] = []

    async def work(item: AssessItem) -> tuple[str, bool]:
        if item.id == "r2":
            second_page_started.set()
        if item.id == "r1":  # the first page's last item ends only once the second page is under way
            try:
                await asyncio.wait_for(second_page_started.wait(), WAIT)
            except asyncio.TimeoutError:
                return item.id, False
        return item.id, True

    await walk(graph, work, lambda kind, rows: stored.extend(rows), page_size=2, flush_every=1)
    assert sorted(stored) == [("r0", True), ("r1", True), ("r2", True), ("r3", True)]


async def test_storing_results_does_not_hold_up_submitting() -> None:
    graph = PagedGraph([f"r{i}" for i in range(6)])
    last_started = threading.Event()
    stored: list[str] = []
    first_write_saw_last_item: list[bool] = []

    async def work(item: AssessItem) -> str:
        if item.id == "r5":
            last_started.set()
        await asyncio.sleep(0.01)
        return item.id

    def store(kind: str, rows: list[str]) -> None:  # runs in a worker thread
        if not first_write_saw_last_item:  # the first write lasts until the last item was submitted
            first_write_saw_last_item.append(last_started.wait(WAIT))
        stored.extend(rows)

    # window of 2 items (2 × max_concurrency): submitting r5 needs results of earlier items,
    # whose first write is in flight meanwhile
    await walk(graph, work, store, page_size=10, flush_every=1, max_concurrency=1)
    assert first_write_saw_last_item == [True]
    assert sorted(stored) == [f"r{i}" for i in range(6)]  # each result stored once


async def test_results_finished_before_a_failure_are_stored_on_the_way_out() -> None:
    graph = PagedGraph([f"r{i}" for i in range(8)])
    stored: list[str] = []

    async def work(item: AssessItem) -> str:
        await asyncio.sleep(0.01 if item.id < "r5" else 0.3 if item.id == "r5" else 5.0)
        if item.id == "r5":
            raise RuntimeError("a bug in the work")  # no failure reason: propagates, the stage stops
        return item.id

    try:
        await walk(graph, work, lambda kind, rows: stored.extend(rows), page_size=3, flush_every=100)
    except RuntimeError as error:
        assert "a bug in the work" in str(error)
    else:
        raise AssertionError("the stage should have stopped")
    assert sorted(stored) == ["r0", "r1", "r2", "r3", "r4"]  # finished before the stop; r6, r7 cancelled
