"""The writer's two stages: batch N+1 is planned while batch N is written, yet the graph is
the one batch-by-batch writing makes, and a failed write keeps exactly the prefix before it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pytest

from graphgen_neo4j.db.graph import Graph, Transaction
from graphgen_neo4j.ingest.batch import WriterSettings, write_extractions
from graphgen_neo4j.ingest.documents import write_documents
from graphgen_neo4j.ingest.extract import ChunkExtraction, ExtractedEntity, ExtractedRelation
from graphgen_neo4j.ingest.readers import PreparedDocument, SourceDocument, prepare
from graphgen_neo4j.ingest.writer import GraphWriter

from .helpers import snapshot

pytestmark = pytest.mark.neo4j

T = TypeVar("T")
CHUNKS = 8
BATCH = 2
SETTINGS = WriterSettings(batch_size=BATCH)
TYPES = ["GENE", "PROTEIN", "TRAIT"]


class SlowWrites(Graph):
    """The real database, with write transactions that take a while to start (so the next
    batch is surely planned meanwhile) and can be told to fail; counts reads made during a write."""

    def __init__(self, graph: Graph, fail_on_write: int | None = None):
        super().__init__(graph.driver, graph.database)
        self.fail_on_write = fail_on_write
        self.writes = 0
        self.reads_during_writes = 0
        self._writing = threading.Event()

    def write_transaction(self, work: Callable[[Transaction], T]) -> T:
        self.writes += 1
        self._writing.set()
        try:
            time.sleep(0.15)
            if self.writes == self.fail_on_write:
                raise RuntimeError(f"write {self.writes} failed")
            return super().write_transaction(work)
        finally:
            self._writing.clear()

    def read(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self.reads_during_writes += self._writing.is_set()
        return super().read(name, params)


def document() -> PreparedDocument:
    texts = tuple(f"Chunk {i}." for i in range(CHUNKS))
    return prepare(SourceDocument("p.txt", "p.txt", None, texts, "\n\n".join(texts)), chunk_size=1024, chunk_overlap=0,
                   encoding="cl100k_base")


def results(chunk_ids: list[str]) -> list[ChunkExtraction]:
    """Each chunk names its own gene and, by an alias the chunk before gave it, the previous
    gene (a vote for another type); relates them, adds evidence to the pair the chunk before
    stated, and to a hub; WFP claims the alias of gene 5 in chunk 6: a duplicate to propose."""
    items = []
    for i, chunk in enumerate(chunk_ids):
        entities = [ExtractedEntity(name=f"gene {i}", type=TYPES[i % 3], description=f"Gene {i} of rice.", aliases=[f"g{i}"])]
        relations = [ExtractedRelation(source=f"gene {i}", target="rice", description=f"Gene {i} is in rice.", strength=i + 1)]
        if i:
            entities.append(ExtractedEntity(name=f"g{i - 1}", type=TYPES[(i + 1) % 3], description=f"Also seen in chunk {i}."))
            relations.append(ExtractedRelation(source=f"gene {i}", target=f"G{i - 1}", description=f"{i} follows {i - 1}.",
                                               keywords=["order"], strength=5))
        if i >= 2:
            relations.append(ExtractedRelation(source=f"gene {i - 1}", target=f"g{i - 2}", description=f"Restated in {i}.",
                                               keywords=["again"], strength=2))
        if i in (5, 6):  # WFP exists (chunk 5) before it claims g5, which gene 5 owns (chunk 6)
            entities.append(ExtractedEntity(name="WFP", type="GENE", description=f"WFP in chunk {i}.",
                                            aliases=["g5"] if i == 6 else []))
        items.append(ChunkExtraction(chunk_id=chunk, entities=entities, relations=relations))
    return items


def write_batch_by_batch(graph: Graph, doc: PreparedDocument, items: list[ChunkExtraction]) -> None:
    """The reference: one read-plan-write transaction per batch, nothing overlapping."""
    graph.write_transaction(lambda tx: write_documents(tx, [doc], SETTINGS))
    for start in range(0, len(items), BATCH):
        graph.write_transaction(lambda tx, b=items[start : start + BATCH]: write_extractions(tx, b, SETTINGS))


async def write_pipelined(graph: Graph, doc: PreparedDocument, items: list[ChunkExtraction]) -> GraphWriter:
    async with GraphWriter(graph, SETTINGS, max_unwritten=len(items)) as writer:
        await writer.documents([doc])
        seqs = [await writer.reserve() for _ in items]
        for seq, item in zip(seqs, items):  # all at once: the batches are (0, 1), (2, 3), …
            writer.submit(seq, item)
    return writer


async def test_batches_planned_while_the_previous_one_is_written_make_the_batch_by_batch_graph(graph):
    doc = document()
    items = results([c.id for c in doc.chunks])
    write_batch_by_batch(graph, doc, items)
    expected = snapshot(graph)
    graph.query("MATCH (n) DETACH DELETE n")

    slow = SlowWrites(graph)
    writer = await write_pipelined(slow, doc, items)

    assert slow.reads_during_writes > 0  # the overlay was needed
    assert snapshot(graph) == expected
    assert writer.totals.chunks_extracted == CHUNKS and writer.totals.duplicates_proposed == 1
    assert writer.totals.relations_created == graph.query("MATCH ()-[r:RELATED]->() RETURN count(r) AS n")[0]["n"]


async def test_a_failed_write_keeps_exactly_the_batches_before_it_and_a_rerun_completes(graph):
    doc = document()
    items = results([c.id for c in doc.chunks])
    write_batch_by_batch(graph, doc, items)
    complete = snapshot(graph)
    graph.query("MATCH (n) DETACH DELETE n")
    write_batch_by_batch(graph, doc, items[:BATCH])
    prefix = snapshot(graph)
    graph.query("MATCH (n) DETACH DELETE n")

    failing = SlowWrites(graph, fail_on_write=3)  # documents, batch (0, 1), then batch (2, 3) fails
    with pytest.raises(RuntimeError, match="write 3 failed"):
        await write_pipelined(failing, doc, items)
    assert failing.writes == 3  # batch (4, 5), planned meanwhile, was dropped
    assert snapshot(graph) == prefix

    writer = await write_pipelined(graph, doc, items)
    assert writer.totals.chunks_already_done == BATCH and writer.totals.chunks_extracted == CHUNKS - BATCH
    assert snapshot(graph) == complete


async def test_a_job_between_batches_sees_every_batch_before_it(graph):
    doc = document()
    items = results([c.id for c in doc.chunks])
    slow = SlowWrites(graph)
    async with GraphWriter(slow, SETTINGS, max_unwritten=CHUNKS) as writer:
        await writer.documents([doc])
        seqs = [await writer.reserve() for _ in items]
        for seq, item in zip(seqs[:4], items[:4]):
            writer.submit(seq, item)
        extracted = await writer.call(
            lambda: graph.query("MATCH (c:Chunk {status: 'extracted'}) RETURN count(c) AS n")[0]["n"])
        for seq, item in zip(seqs[4:], items[4:]):
            writer.submit(seq, item)
    assert extracted == 4
    assert writer.totals.chunks_extracted == CHUNKS
