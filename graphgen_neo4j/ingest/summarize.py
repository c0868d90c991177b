"""Summarizing long descriptions: after an ingest, every entity and relation marked
``summary_pending`` (its joined descriptions are over the token budget) is summarized by
the synthesizer in its language, through the work pool, and stored in turn with the
writer's other writes (``summarize_pending``).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.ingest.writer import GraphWriter
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.llm.pool import PoolOutcome, WorkPool
from graphgen_neo4j.prompts import render


class SummaryOutcome(BaseModel):
    entities: int = 0
    relations: int = 0
    failed: int = 0
    errors: list[str] = []
    work: PoolOutcome | None = None  # the work pool's counts, reasons and verdict


def summary_messages(item: str, descriptions: Sequence[str], max_words: int) -> list[dict[str, str]]:
    """The prompt asking for one description of ``item`` from all of ``descriptions``, in their language."""
    language = detect_language("\n".join(descriptions))
    lines = "\n".join(f"- {d}" for d in descriptions)
    return render("summarize", language, item=item, descriptions=lines, max_words=max_words)


async def summarize_pending(
    graph: Graph, writer: GraphWriter, synthesizer: Any, *, max_description_tokens: int,
    page_size: int = 100, on_done: Callable[[int], None] | None = None,
) -> SummaryOutcome:
    """Summarize every entity and relation marked ``summary_pending`` (whole text, its language).

    The synthesizer's limits apply (through the work pool); results are stored through
    the writer, page by page, and only where the descriptions did not change meanwhile.
    A failed item (bad reply, 5xx…) is counted and stays pending for the next run; a
    fatal error (key rejected, endpoint unreachable…) stops with ``StageFailed``.
    """
    outcome = SummaryOutcome()
    max_words = max(30, int(max_description_tokens * 0.6))
    pool: WorkPool[dict[str, Any]] = WorkPool("summarize", client=synthesizer, what="descriptions")
    outcome.work = pool.outcome

    async def one(item: str, row: dict[str, Any]) -> dict[str, Any]:
        reply = await synthesizer.complete(summary_messages(item, row["descriptions"], max_words), stage="merge", task="summarize")
        return {"id": row["id"], "descriptions": row["descriptions"], "description": reply.text.strip()}

    def failed(item: str) -> Callable[[str, BaseException], None]:
        def note(_reason: str, exc: BaseException) -> None:
            outcome.failed += 1
            if len(outcome.errors) < 10:
                outcome.errors.append(f"{item}: {exc}")
        return note

    for kind, query, store in (
        ("entities", "ingest/entities_to_summarize", "ingest/store_entity_summaries"),
        ("relations", "ingest/relations_to_summarize", "ingest/store_relation_summaries"),
    ):
        after = ""
        while True:
            rows = await asyncio.to_thread(graph.read, query, {"after": after, "limit": page_size})
            if not rows:
                break
            after = rows[-1]["id"]
            items = [row["name"] if kind == "entities" else f"{row['source']} → {row['target']}" for row in rows]
            stored_rows: list[dict[str, Any]] = []
            async with pool:
                for item, row in zip(items, rows):
                    await pool.submit(one(item, row), on_done=stored_rows.append, on_failed=failed(item))
            if stored_rows:
                stored = (await writer.call(functools.partial(graph.run, store, {"rows": stored_rows})))[0]["stored"]
                setattr(outcome, kind, getattr(outcome, kind) + stored)
            if on_done is not None:
                on_done(len(rows))
    return outcome


async def count_pending_summaries(graph: Graph) -> int:
    rows = await asyncio.to_thread(graph.read, "ingest/count_pending_summaries")
    return int(rows[0]["pending"])
