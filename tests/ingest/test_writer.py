"""The single writer: input order whatever order results arrive in, votes, duplicate proposals."""

from __future__ import annotations

import asyncio

import pytest

from graphgen_neo4j.ingest.batch import WriterSettings
from graphgen_neo4j.ingest.extract import ChunkExtraction, ExtractedEntity, ExtractedRelation
from graphgen_neo4j.ingest.readers import SourceDocument, prepare
from graphgen_neo4j.ingest.writer import GraphWriter

from .helpers import snapshot

pytestmark = pytest.mark.neo4j

TEXTS = ["Chunk zero.", "Chunk one.", "Chunk two.", "Chunk three."]


def results(chunk_ids: list[str]) -> list[ChunkExtraction]:
    gene = lambda name, kind, *aliases: ExtractedEntity(name=name, type=kind, description=f"{name} as {kind}.", aliases=list(aliases))  # noqa: E731
    return [
        ChunkExtraction(chunk_id=chunk_ids[0], entities=[gene("OsSPL14", "GENE", "IPA1")]),
        ChunkExtraction(chunk_id=chunk_ids[1], entities=[gene("IPA1", "PROTEIN")],
                        relations=[ExtractedRelation(source="IPA1", target="tiller number", description="IPA1 reduces tillers.", strength=9)]),
        ChunkExtraction(chunk_id=chunk_ids[2], entities=[gene("osspl14", "GENE")],
                        relations=[ExtractedRelation(source="OsSPL14", target="Tiller Number", description="Fewer tillers.", strength=7)]),
        # WFP1 is an entity of its own before it claims IPA1, which OsSPL14 has: a duplicate to propose.
        ChunkExtraction(chunk_id=chunk_ids[3], entities=[gene("WFP1", "GENE"), gene("WFP1", "GENE", "IPA1")]),
    ]


async def write(graph, order: list[int]) -> None:
    document = prepare(SourceDocument("t.txt", "t.txt", None, tuple(TEXTS), "\n\n".join(TEXTS)),
                       chunk_size=1024, chunk_overlap=0, encoding="cl100k_base")
    async with GraphWriter(graph, WriterSettings(batch_size=2), max_unwritten=8) as writer:
        outcome = await writer.documents([document])
        assert outcome.documents_new == 1 and outcome.pending_chunks == 4
        items = results([c.id for c in document.chunks])
        seqs = [await writer.reserve() for _ in items]
        for index in order:  # results arrive in any order
            await asyncio.sleep(0)
            writer.submit(seqs[index], items[index])
    assert writer.totals.chunks_extracted == 4


async def test_results_are_written_in_input_order_whatever_order_they_arrive_in(graph):
    await write(graph, [0, 1, 2, 3])
    in_order = snapshot(graph)
    graph.query("MATCH (n) DETACH DELETE n")
    await write(graph, [3, 1, 2, 0])
    assert snapshot(graph) == in_order

    gene = graph.query("""
        MATCH (e:Entity {name: 'OsSPL14'})
        RETURN e.type AS type, e.type_votes AS votes, e.aliases AS aliases, e.mention_count AS n""")
    assert gene == [{"type": "GENE", "votes": ["GENE=2", "PROTEIN=1"], "aliases": ["IPA1"], "n": 3}]
    relation = graph.query("""
        MATCH (:Entity {name: 'OsSPL14'})-[r:RELATED]->(t:Entity)
        RETURN t.name AS target, t.type AS type, r.strength AS strength, r.descriptions AS descriptions, size(r.chunk_ids) AS chunks""")
    assert relation == [{"target": "tiller number", "type": "UNKNOWN", "strength": 8.0,
                         "descriptions": ["Fewer tillers.", "IPA1 reduces tillers."], "chunks": 2}]
    proposal = graph.query("MATCH (a:Entity)-[s:SAME_AS]->(b:Entity) RETURN a.name AS a, b.name AS b, s.method AS method, s.status AS status")
    assert proposal == [{"a": "WFP1", "b": "OsSPL14", "method": "shared_alias", "status": "proposed"}]  # newcomer → owner


async def test_results_for_chunks_already_extracted_are_not_written_twice(graph):
    await write(graph, [0, 1, 2, 3])
    before = snapshot(graph)
    chunk_ids = [row["id"] for row in graph.query("MATCH (c:Chunk) RETURN c.id AS id ORDER BY c.index")]
    async with GraphWriter(graph) as writer:
        for item in results(chunk_ids):
            writer.submit(await writer.reserve(), item)
    assert writer.totals.chunks_already_done == 4 and writer.totals.chunks_extracted == 0
    assert snapshot(graph) == before


async def test_a_new_entity_takes_over_the_alias_its_deleted_predecessor_left(graph):
    await write(graph, [0, 1, 2, 3])
    graph.query("MATCH (e:Entity {name: 'WFP1'}) DETACH DELETE e")  # as a replaced document's orphan goes
    chunk_ids = [row["id"] for row in graph.query("MATCH (c:Chunk) RETURN c.id AS id ORDER BY c.index")]
    graph.query("MATCH (c:Chunk {id: $id}) SET c.status = 'pending'", {"id": chunk_ids[3]})
    async with GraphWriter(graph) as writer:
        writer.submit(await writer.reserve(), results(chunk_ids)[3])
    assert writer.totals.entities_created == 1
    aliases = graph.query("MATCH (a:Alias {key: 'wfp1'}) OPTIONAL MATCH (a)-[:ALIAS_OF]->(e) RETURN e.name AS entity")
    assert aliases == [{"entity": "WFP1"}]
