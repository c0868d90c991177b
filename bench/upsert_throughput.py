"""Benchmark: merging a synthetic extraction stream into Neo4j through the ingest writer.

    NEO4J_URI=bolt://127.0.0.1:7701 NEO4J_PASSWORD=… python bench/upsert_throughput.py --wipe
        [--chunks 20000] [--batch-size 200] [--naive-sample 2000]

The stream (made up as it is consumed, never held whole): chunk *i* names five new
entities and two earlier ones, and states ten relations among them, each with a new
entity at one end — so 20,000 chunks make 100,000 entities, 140,000 mentions and
200,000 relations, all with aliases, votes, descriptions and per-chunk evidence as real
extraction results have. Documents and chunks are written first (timed apart); then
the results go through ``writer.GraphWriter`` exactly as ``ingest`` sends them.

Each run is a fresh process on an emptied database, so its peak RSS is its own: the
full stream, and a quarter of it, to show that memory does not grow with the number of
chunks. The baseline is a naive writer, one ``MERGE`` of a relation (and its two
endpoints) per transaction, timed on ``--naive-sample`` relations and extrapolated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphgen_neo4j.db.graph import Graph, batched  # noqa: E402
from graphgen_neo4j.ingest.batch import WriterSettings  # noqa: E402
from graphgen_neo4j.ingest.extract import ChunkExtraction, ExtractedEntity, ExtractedRelation  # noqa: E402
from graphgen_neo4j.ingest.readers import PreparedChunk, PreparedDocument  # noqa: E402
from graphgen_neo4j.ingest.writer import GraphWriter  # noqa: E402

NEW_PER_CHUNK, OLD_PER_CHUNK, RELATIONS_PER_CHUNK = 5, 2, 10
TYPES = ["GENE", "PROTEIN", "VARIETY", "DISEASE", "PATHOGEN", "TRAIT"]
WORDS = "rice blast fungus gene leaf root yield drought soil water nitrogen spore resistance protein panicle".split()

NAIVE_MERGE = """
MERGE (s:Entity {id: $source_id}) ON CREATE SET s.name = $source
MERGE (t:Entity {id: $target_id}) ON CREATE SET t.name = $target
MERGE (s)-[r:RELATED]->(t) ON CREATE SET r.id = $id
SET r.description = $description, r.keywords = $keywords, r.strength = $strength, r.chunk_ids = [$chunk_id]
"""


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def text(rng: random.Random, head: str) -> str:
    start = rng.randrange(len(WORDS))
    return f"{head} " + " ".join((WORDS * 2)[start : start + 6 + start % 9]) + "."


def chunk_id(i: int) -> str:
    return f"chunk-bench-{i:08d}"


def stream(chunks: int, seed: int = 7) -> Iterator[ChunkExtraction]:
    """The synthetic extraction results, chunk by chunk (see the module docstring)."""
    rng = random.Random(seed)
    for i in range(chunks):
        new = [NEW_PER_CHUNK * i + k for k in range(NEW_PER_CHUNK)]
        old = [rng.randrange(NEW_PER_CHUNK * i) for _ in range(OLD_PER_CHUNK)] if i else []
        names = [f"Entity {n}" for n in new + old]
        # model_construct: the results are valid by construction; validating them would time the generator.
        entities = [
            ExtractedEntity.model_construct(name=name, type=rng.choice(TYPES), description=text(rng, name),
                                            aliases=[f"E{number}"] if number % 4 == 0 else [])
            for name, number in zip(names, new + old)
        ]
        pairs = [(a, b) for a in range(len(names)) for b in range(len(names)) if a != b and (a < NEW_PER_CHUNK or b < NEW_PER_CHUNK)]
        relations = [
            ExtractedRelation.model_construct(source=names[a], target=names[b], description=text(rng, f"{names[a]} and {names[b]}"),
                                              keywords=[rng.choice(WORDS), rng.choice(WORDS)], strength=float(rng.randint(1, 10)))
            for a, b in rng.sample(pairs, RELATIONS_PER_CHUNK)
        ]
        yield ChunkExtraction.model_construct(chunk_id=chunk_id(i), entities=entities, relations=relations, gleaned=0, dropped=0,
                                              glean_error=None, error=None, raw_reply=None)


def documents(chunks: int, per_document: int = 10) -> Iterator[PreparedDocument]:
    for start in range(0, chunks, per_document):
        parts = tuple(
            PreparedChunk(id=chunk_id(i), text=f"Synthetic chunk {i}.", index=i - start, tokens=5, language="en")
            for i in range(start, min(chunks, start + per_document))
        )
        yield PreparedDocument(id=f"doc-bench-{start:08d}", source="bench", source_key=f"bench#{start}",
                               text=" ".join(c.text for c in parts), language="en", tokens=5 * len(parts), chunks=parts)


async def run_stream(graph: Graph, chunks: int, batch_size: int) -> dict[str, float]:
    settings = WriterSettings(batch_size=batch_size)
    checkpoints: dict[str, float] = {}
    async with GraphWriter(graph, settings, max_unwritten=2 * batch_size) as writer:
        started = time.perf_counter()
        for batch in batched(documents(chunks), 500):
            await writer.documents(batch)
        documents_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for i, result in enumerate(stream(chunks)):
            writer.submit(await writer.reserve(), result)
            if i + 1 in (chunks // 4, chunks // 2):
                checkpoints[f"rss_mb_at_{(i + 1) * 100 // chunks}pct"] = round(rss_mb(), 1)
    seconds = time.perf_counter() - started
    totals = writer.totals
    return {
        "chunks": chunks, "documents_seconds": round(documents_seconds, 2), "stream_seconds": round(seconds, 2),
        "entities": totals.entities_created, "relations": totals.relations_created, "mentions": totals.mentions,
        "relations_per_second": round(totals.relations_created / seconds),
        "chunks_per_second": round(chunks / seconds), **checkpoints, "peak_rss_mb": round(rss_mb(), 1),
    }


def run_naive(graph: Graph, sample: int) -> dict[str, float]:
    rows = []
    for result in stream(sample // RELATIONS_PER_CHUNK + 1):
        for relation in result.relations:
            rows.append({
                "source": relation.source, "target": relation.target, "source_id": "naive-" + relation.source,
                "target_id": "naive-" + relation.target, "id": f"naive-{len(rows)}", "description": relation.description,
                "keywords": relation.keywords, "strength": relation.strength, "chunk_id": result.chunk_id,
            })
    rows = rows[:sample]
    started = time.perf_counter()
    for row in rows:
        graph.query(NAIVE_MERGE, row)  # execute_query: one transaction per relation
    seconds = time.perf_counter() - started
    return {"naive_relations": len(rows), "naive_seconds": round(seconds, 2), "naive_relations_per_second": round(len(rows) / seconds)}


def wipe(graph: Graph) -> None:
    while graph.query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
        pass


def child(args: argparse.Namespace) -> None:
    with Graph.connect() as graph:
        graph.init_schema()
        wipe(graph)
        if args.phase == "stream":
            figures = asyncio.run(run_stream(graph, args.chunks, args.batch_size))
        else:
            figures = run_naive(graph, args.naive_sample)
        wipe(graph)
    print(json.dumps(figures))


def run_child(*options: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *options], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=200, help="chunks per write transaction")
    parser.add_argument("--naive-sample", type=int, default=2_000)
    parser.add_argument("--wipe", action="store_true", help="empty the database first (it must be empty otherwise)")
    parser.add_argument("--phase", choices=["stream", "naive"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args)
        return
    with Graph.connect() as graph:
        if graph.query("MATCH (n) RETURN count(n) > 0 AS used")[0]["used"] and not args.wipe:
            sys.exit("the database is not empty: use a scratch database, or pass --wipe to empty it")
    # The naive sample is timed before and after the streams: on a shared machine the load drifts.
    naive_before = run_child("--phase", "naive", "--naive-sample", str(args.naive_sample))
    quarter = run_child("--phase", "stream", "--chunks", str(args.chunks // 4), "--batch-size", str(args.batch_size))
    full = run_child("--phase", "stream", "--chunks", str(args.chunks), "--batch-size", str(args.batch_size))
    naive_after = run_child("--phase", "naive", "--naive-sample", str(args.naive_sample))
    rates = [naive_before["naive_relations_per_second"], naive_after["naive_relations_per_second"]]
    naive = {"naive_relations": naive_before["naive_relations"],
             "naive_seconds": round((naive_before["naive_seconds"] + naive_after["naive_seconds"]) / 2, 2),
             "naive_relations_per_second": round(sum(rates) / 2)}
    ratio = full["relations_per_second"] / naive["naive_relations_per_second"]
    print(f"synthetic stream: {full['chunks']} chunks -> {full['entities']} entities, {full['relations']} relations, "
          f"{full['mentions']} mentions (batch {args.batch_size} chunks per transaction)")
    print(f"  documents + chunks written first: {full['documents_seconds']} s")
    print(f"  extraction results merged:        {full['stream_seconds']} s = {full['relations_per_second']} relations/s, "
          f"{full['chunks_per_second']} chunks/s")
    print(f"naive writer (one MERGE per transaction), {naive['naive_relations']} relations measured before and after: "
          f"{naive['naive_seconds']} s = {naive['naive_relations_per_second']} relations/s ({rates[0]} and {rates[1]}) "
          f"-> {full['relations']} relations would take ~{full['relations'] / naive['naive_relations_per_second']:.0f} s")
    print(f"speed-up: {ratio:.1f}x")
    print("peak RSS of the writing process:")
    for figures in (quarter, full):
        marks = ", ".join(f"{k.removeprefix('rss_mb_at_')}: {v} MB" for k, v in figures.items() if k.startswith("rss_mb_at_"))
        print(f"  {figures['chunks']:>6} chunks: peak {figures['peak_rss_mb']} MB ({marks})")


if __name__ == "__main__":
    main()
