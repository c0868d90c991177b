"""The single writer of an ingest: ``GraphWriter``.

Every write of an ingest goes through one ``GraphWriter``: an asyncio task that takes
work from a queue and writes it, one transaction at a time, in a worker thread (the
event loop keeps the LLM calls going meanwhile). So concurrent extraction never races
a MERGE, and each batch commits whole or not at all.

**Two stages.** A batch is first planned (``batch.plan_extractions``: its reads and the
Python work), then written (``batch.apply_batch``: one write transaction of precomputed
rows). The next batch is planned while one is written, with what that one writes (its
``Overlay``) on top of what the graph says, so both cores work and the graph is the same
as batch by batch. Jobs (documents, summaries) wait until the write in flight committed.

**Order.** Extraction results carry a sequence number (input order) and are written
in that order whatever order the LLM answers in, so the same input always makes the
same graph: "the entity first seen under a name" means first in the input. An
interrupted run writes only the unbroken prefix; the next run continues from there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.gc_policy import FullPasses, bulk_collection
from graphgen_neo4j.ingest.batch import BatchOutcome, BatchWrite, Overlay, WriterSettings, apply_batch, plan_extractions
from graphgen_neo4j.ingest.documents import DocumentsOutcome, write_documents
from graphgen_neo4j.ingest.extract import ChunkExtraction
from graphgen_neo4j.ingest.readers import PreparedDocument


@dataclass
class _Ordered:
    seq: int
    result: ChunkExtraction


@dataclass
class _Job:
    work: Callable[[], Any]
    future: asyncio.Future[Any]


_STOP = object()


_WRITTEN = object()  # the write in flight ended (see GraphWriter._next_item)


class GraphWriter:
    """The single writer of an ingest (see the module docstring).

    Usage::

        async with GraphWriter(graph, settings, on_written=…) as writer:
            outcome = await writer.documents(prepared_docs)
            seq = await writer.reserve()          # waits while too many results are unwritten
            ...                                   # extract
            writer.submit(seq, chunk_extraction)
        # leaving the block writes what is left (only the unbroken prefix after an error)
    """

    def __init__(self, graph: Graph, settings: WriterSettings | None = None, *, max_unwritten: int = 64,
                 on_written: WrittenCallback | None = None):
        self.graph = graph
        self.settings = settings or WriterSettings()
        self.on_written = on_written
        self.totals = BatchOutcome()
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._window = asyncio.Semaphore(max_unwritten)
        self._held: dict[int, ChunkExtraction] = {}
        self._next_seq = 0  # next sequence number to write
        self._issued = 0  # next sequence number to hand out
        self._write_all = True
        self._task: asyncio.Task[None] | None = None
        self._writing: asyncio.Future[None] | None = None  # the write of the batch planned last
        self._overlay: Overlay | None = None  # what that write changes, until it committed
        self._collection = bulk_collection()
        self._full_passes = FullPasses()

    async def __aenter__(self) -> GraphWriter:
        self._collection.__enter__()  # fewer garbage-collector passes while it writes: see gc_policy
        self._task = asyncio.create_task(self._consume(), name="graph-writer")
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        await self.close(write_all=exc_type is None)

    async def close(self, *, write_all: bool = True) -> None:
        """Stop after writing what is queued. ``write_all=False`` (after an error or a
        cancellation) writes only results that follow on from what was written, so a
        re-run continues in input order. Raises the writer's own error, if it had one."""
        if self._task is None:
            return
        self._write_all = write_all
        if not self._task.done():
            self._queue.put_nowait(_STOP)
        try:
            # Shielded: a cancelled ingest still lets the transaction in flight finish cleanly.
            await asyncio.shield(self._task)
        finally:
            self._collection.__exit__(None, None, None)

    # -- producers ---------------------------------------------------------------------

    async def reserve(self) -> int:
        """A sequence number for the next chunk, once fewer than ``max_unwritten`` wait to be written."""
        assert self._task is not None, "use GraphWriter in `async with`"
        acquire = asyncio.ensure_future(self._window.acquire())
        done, _ = await asyncio.wait({acquire, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if acquire not in done:
            acquire.cancel()
            self._task.result()  # raises the writer's error
            raise RuntimeError("the graph writer stopped")
        seq = self._issued
        self._issued += 1
        return seq

    def submit(self, seq: int, result: ChunkExtraction) -> None:
        self._queue.put_nowait(_Ordered(seq, result))

    async def documents(self, docs: Sequence[PreparedDocument]) -> DocumentsOutcome:
        """Write documents and their chunks (replacing older versions); waits until done."""
        return await self._job(lambda: self.graph.write_transaction(lambda tx: write_documents(tx, docs, self.settings)))

    async def call(self, work: Callable[[], Any]) -> Any:
        """Run ``work()`` (graph writes) in turn with the writer's other writes."""
        return await self._job(work)

    async def _job(self, work: Callable[[], Any]) -> Any:
        assert self._task is not None, "use GraphWriter in `async with`"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(work, future))
        done, _ = await asyncio.wait({future, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if future not in done:
            self._task.result()
            raise RuntimeError("the graph writer stopped")
        return future.result()

    # -- the consumer ------------------------------------------------------------------

    async def _consume(self) -> None:
        jobs: list[_Job] = []
        try:
            while True:
                stop = self._accept(await self._next_item(), jobs)
                while not stop and self._ready() < self.settings.batch_size:
                    try:
                        item = self._queue.get_nowait()
                    except asyncio.QueueEmpty:
                        break
                    stop = self._accept(item, jobs)
                await self._write_ready(everything=stop or bool(jobs))
                if jobs:
                    await self._settle()  # a job sees, and may change, everything written before it
                for job in jobs:
                    try:
                        job.future.set_result(await asyncio.to_thread(job.work))
                    except Exception as exc:  # noqa: BLE001 - handed to the waiting caller
                        job.future.set_exception(exc)
                jobs.clear()
                if stop:
                    if self._write_all and self._held:
                        rest = [self._held.pop(s) for s in sorted(self._held)]
                        for start in range(0, len(rest), self.settings.batch_size):
                            await self._write_batch(rest[start : start + self.settings.batch_size])
                    await self._settle()
                    return
        finally:
            for job in jobs:
                if not job.future.done():
                    job.future.cancel()
            if self._writing is not None:  # leaving on an error: let the write in flight end, as it may
                await asyncio.gather(self._writing, return_exceptions=True)

    async def _next_item(self) -> Any:
        """The next item of the queue, or ``_WRITTEN`` when the write in flight ends first
        (raising its error: producers may all be waiting for it to free their window)."""
        if self._writing is None or not self._queue.empty():
            return await self._queue.get()
        get = asyncio.ensure_future(self._queue.get())
        done, _ = await asyncio.wait({get, self._writing}, return_when=asyncio.FIRST_COMPLETED)
        if get in done:
            return get.result()
        get.cancel()
        await self._settle()
        return _WRITTEN

    def _accept(self, item: Any, jobs: list[_Job]) -> bool:
        if item is _STOP:
            return True
        if isinstance(item, _Ordered):
            self._held[item.seq] = item.result
        elif isinstance(item, _Job):
            jobs.append(item)
        return False

    def _ready(self) -> int:
        count, seq = 0, self._next_seq
        while seq in self._held:
            count += 1
            seq += 1
        return count

    async def _write_ready(self, *, everything: bool) -> None:
        """Write the results that follow on from those written, a batch at a time. While a
        write is in flight, a part batch waits for more (it could not start before that
        write ends anyway), unless ``everything`` must go now (a job or the end is next)."""
        size = self.settings.batch_size
        while ready := self._ready():
            if ready < size and self._writing is not None and not everything:
                return
            batch: list[ChunkExtraction] = []
            while len(batch) < size and self._next_seq in self._held:
                batch.append(self._held.pop(self._next_seq))
                self._next_seq += 1
            await self._write_batch(batch)

    async def _write_batch(self, batch: list[ChunkExtraction]) -> None:
        """Two stages, so Python and Neo4j work at the same time: this batch is planned (its
        reads, each in its own transaction, and the Python work) while the previous one is
        written; its write starts when that one committed. If that one fails, this is dropped."""
        try:
            planned = await asyncio.to_thread(plan_extractions, self.graph.read, batch, self.settings, self._overlay)
        except BaseException:
            await self._settle()
            raise
        # The next batch is planned once this one's predecessor committed: the graph then
        # holds everything but this batch, which its overlay supplies.
        await self._settle()
        self._overlay = planned.overlay
        self._writing = asyncio.ensure_future(self._write(batch, planned))

    async def _write(self, batch: list[ChunkExtraction], planned: BatchWrite) -> None:
        outcome = await asyncio.to_thread(self.graph.write_transaction, lambda tx: apply_batch(tx, planned))
        for name in BatchOutcome.model_fields:
            setattr(self.totals, name, getattr(self.totals, name) + getattr(outcome, name))
        for _ in batch:
            self._window.release()
        if self.on_written is not None:
            self.on_written(batch, outcome)
        self._full_passes.due()  # keeps memory flat however long the input: see gc_policy

    async def _settle(self) -> None:
        """Wait for the write in flight (raising its error); the graph then holds everything
        planned, so the overlay has nothing left to add."""
        writing, self._writing = self._writing, None
        self._overlay = None
        if writing is not None:
            await writing


WrittenCallback = Callable[[Sequence[ChunkExtraction], BatchOutcome], None]
