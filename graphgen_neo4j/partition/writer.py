"""Storing batches: ``BatchWriter`` writes batch rows in order from two threads, a chunk
of ``_WRITE_CHUNK`` batches per transaction (with their relation marks), and stops at
the first failure so the gap an interrupted run leaves after its unbroken prefix stays small.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from graphgen_neo4j.db.graph import Graph, batched
from graphgen_neo4j.errors import StageError
from graphgen_neo4j.partition.config import STAGE

_WRITE_CHUNK = 1000  # batches per write transaction (each batch is written with its relation marks)


class BatchWriter:
    """Writes batches on two background threads, a transaction per chunk, so Neo4j stores a
    wave while the next one is cut. Each batch is written together with its relations'
    marks. Chunks are queued in index order and at most a few are in flight, so a run that
    stops holds its batches up to some index, plus perhaps a few later ones written ahead:
    resuming drops those (``stage._check_run``) and goes on from the unbroken prefix. A dry run
    writes nothing and only records what would be new.
    """

    _WRITERS = 2  # one transaction each: Neo4j runs them on both cores
    _MAX_PENDING = 4  # chunks queued before cutting waits for the writers

    def __init__(self, graph: Graph, run_id: str, config_hash: str, dry_run: bool):
        self.graph = graph
        self.params = {"run_id": run_id, "config_hash": config_hash}
        self.executor = None if dry_run else ThreadPoolExecutor(max_workers=self._WRITERS,
                                                                thread_name_prefix="partition-writer")
        self.pending: deque[Future[Any]] = deque()
        self.new: list[tuple[int, int]] = []  # (relations, tokens) of each batch this invocation cuts
        self.failed = threading.Event()  # after a failed write, the chunks queued behind it are not written

    def submit(self, rows: list[dict[str, Any]], *, may_exist: bool = False) -> None:
        """Queue batches for writing; ``may_exist``: skip those stored already (isolated ones, on resume)."""
        for chunk in batched(rows, _WRITE_CHUNK):
            if may_exist:
                stored = self.graph.read("partition/existing_batches", {"ids": [row["id"] for row in chunk]})
                existing = {r["id"] for r in stored}
                chunk = [row for row in chunk if row["id"] not in existing]
            self.new.extend((len(row["relation_ids"]), row["tokens"]) for row in chunk)
            if self.executor is None or not chunk:
                continue
            self.pending.append(self.executor.submit(self._write, chunk))
            while len(self.pending) > self._MAX_PENDING or (self.pending and self.pending[0].done()):
                self.pending.popleft().result()

    def drain(self) -> None:
        """Wait until everything queued is stored (raises the first write error)."""
        while self.pending:
            self.pending.popleft().result()

    def close(self) -> None:
        self.failed.set()  # whatever is still queued after an error or an interrupt is dropped
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def _write(self, chunk: list[dict[str, Any]]) -> None:
        if self.failed.is_set():
            raise StageError(STAGE, "not written: an earlier write failed")  # keeps the gap after it small
        try:
            self.graph.run("partition/write_batches", {"batches": chunk, **self.params})
        except BaseException:
            self.failed.set()
            raise
