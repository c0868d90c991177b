"""Benchmark: how the Neo4j store grows with chunks, entities and relations, written through ingest's writer.

    cd WT && set -a && . ./.env && set +a
    python bench/neo4j_sizing.py --fresh-store [--sizes 5000,20000,50000] [--chunk-chars 4000] [--heap 1g --pagecache 256m]

Needs the local server of ``.env`` (``graphgen-neo4j neo4j start``): it WIPES that database
(``--fresh-store``: deletes its store files, so that the figures start from an empty store —
a wiped store keeps its files at their old size and reuses the space) and RESTARTS the server
after each phase, with ``db.store.files.preallocate=false`` so that files grow as records are
written, not in steps of tens of MiB; Community has no ``db.checkpoint()``, and the record
files only reach the disk at a checkpoint (a clean shutdown makes one). The usual
configuration is restored at the end.

The graph grows to each size in turn (N entities, 3N relations), in two phases per step,
both through ``ingest.writer.GraphWriter`` exactly as ``ingest`` writes (``cypher/ingest/*``):

1. documents and chunks: N/5 chunks of ``--chunk-chars`` characters (a 1,024-token chunk is
   ~4,000 English characters; Chinese ~1,500, ~4.5 KB in UTF-8), 10 chunks per document
   (the document holds its full text again);
2. extraction results: per chunk 5 new entities (name, type, description, an alias for
   one in four) and 2 mentions of earlier ones, and 15 relations (description, keywords,
   strength) each with a new entity at one end — so N entities and 3N relations in all,
   with their mentions, aliases and per-chunk evidence.

After each phase the store on disk (``$GRAPHGEN_NEO4J_DIR/data/databases/neo4j``: record
stores, strings, arrays, the indexes of ``cypher/schema.cypher``) is measured; growth is
charged to what the phase added. Printed: store bytes per chunk and per entity with its
three relations (between consecutive sizes, so space an earlier wipe freed is not in it),
the split of the entity phase by store file, the time per 1,000 upserts (entities +
relations), and the transaction logs apart (rotated and pruned; never in the page cache).
Assessment (quiz statements, loss, judgements) and QA come later and are not in these
figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphgen_neo4j.db.graph import Graph, batched  # noqa: E402
from graphgen_neo4j.db.local_server import LocalNeo4j  # noqa: E402
from graphgen_neo4j.ingest.batch import WriterSettings  # noqa: E402
from graphgen_neo4j.ingest.extract import ChunkExtraction, ExtractedEntity, ExtractedRelation  # noqa: E402
from graphgen_neo4j.ingest.readers import PreparedChunk, PreparedDocument  # noqa: E402
from graphgen_neo4j.ingest.writer import GraphWriter  # noqa: E402

NEW_PER_CHUNK, OLD_PER_CHUNK, RELATIONS_PER_CHUNK = 5, 2, 15
TYPES = ["GENE", "PROTEIN", "VARIETY", "DISEASE", "PATHOGEN", "TRAIT"]
WORDS = ("rice blast fungus gene leaf root yield drought soil water nitrogen spore resistance protein panicle "
         "infection lesion variety planthopper virus temperature humidity").split()
# Store files by what they hold, first match wins (the rest: id files, counts, tokens, the schema store).
KINDS = {"strings": ("propertystore.db.strings",), "arrays": ("propertystore.db.arrays",),
         "properties": ("propertystore.db",), "nodes": ("nodestore.db",),
         "relationships": ("relationshipstore.db", "relationshipgroupstore"), "indexes": ("schema/",)}


class SizingServer(LocalNeo4j):
    """The local server with store files grown as written rather than preallocated in large steps."""

    def config_text(self) -> str:
        return super().config_text() + "db.store.files.preallocate=false\n"


def fresh_store(server: LocalNeo4j, password: str) -> None:
    """Stop the server, delete the database's store and transaction logs, start it: an empty store of its own."""
    name = os.environ.get("NEO4J_DATABASE", "neo4j")
    server.stop()
    for sub in ("databases", "transactions"):
        shutil.rmtree(server.data_dir / sub / name, ignore_errors=True)
    server.start(password)
    with Graph.connect() as graph:
        graph.init_schema()


def words(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        out.append(rng.choice(WORDS))
        size += len(out[-1]) + 1
    return " ".join(out)[:chars]


def chunk_id(i: int) -> str:
    return f"chunk-size-{i:08d}"


def documents(first: int, last: int, chars: int, rng: random.Random) -> Iterator[PreparedDocument]:
    """Chunks ``first``..``last - 1``, 10 to a document."""
    for start in range(first, last, 10):
        parts = tuple(PreparedChunk(id=chunk_id(i), text=words(rng, chars), index=i - start, tokens=chars // 4, language="en")
                      for i in range(start, min(last, start + 10)))
        yield PreparedDocument(id=f"doc-size-{start:08d}", source="bench", source_key=f"bench#{start}",
                               text=" ".join(c.text for c in parts), language="en", tokens=sum(c.tokens for c in parts),
                               chunks=parts)


def extractions(first: int, last: int, rng: random.Random) -> Iterator[ChunkExtraction]:
    """The extraction results of chunks ``first``..``last - 1`` (see the module docstring)."""
    for i in range(first, last):
        new = [NEW_PER_CHUNK * i + k for k in range(NEW_PER_CHUNK)]
        old = [rng.randrange(NEW_PER_CHUNK * i) for _ in range(OLD_PER_CHUNK)] if i else []
        names = [f"Entity {n}" for n in new + old]
        # model_construct: valid by construction; validating would time the generator.
        entities = [ExtractedEntity.model_construct(name=name, type=rng.choice(TYPES), description=f"{name}: {words(rng, 150)}",
                                                    aliases=[f"E{number}"] if number % 4 == 0 else [])
                    for name, number in zip(names, new + old)]
        pairs = [(a, b) for a in range(len(names)) for b in range(len(names))
                 if a != b and (a < NEW_PER_CHUNK or b < NEW_PER_CHUNK)]
        relations = [ExtractedRelation.model_construct(source=names[a], target=names[b], description=words(rng, 150),
                                                       keywords=[rng.choice(WORDS), rng.choice(WORDS)],
                                                       strength=float(rng.randint(1, 10)))
                     for a, b in rng.sample(pairs, RELATIONS_PER_CHUNK)]
        yield ChunkExtraction.model_construct(chunk_id=chunk_id(i), entities=entities, relations=relations, gleaned=0,
                                              dropped=0, glean_error=None, error=None, raw_reply=None)


async def write_documents(graph: Graph, first: int, last: int, chars: int, rng: random.Random) -> None:
    async with GraphWriter(graph, WriterSettings()) as writer:
        for batch in batched(documents(first, last, chars, rng), 200):
            await writer.documents(batch)


async def write_extractions(graph: Graph, first: int, last: int, rng: random.Random) -> tuple[float, int, int]:
    """Seconds, entities created, relations created."""
    settings = WriterSettings()
    async with GraphWriter(graph, settings, max_unwritten=2 * settings.batch_size) as writer:
        started = time.perf_counter()
        for result in extractions(first, last, rng):
            writer.submit(await writer.reserve(), result)
    return time.perf_counter() - started, writer.totals.entities_created, writer.totals.relations_created


def store_files(database_dir: Path) -> dict[str, int]:
    return {str(p.relative_to(database_dir)): p.stat().st_size for p in database_dir.rglob("*") if p.is_file()}


def by_kind(files: dict[str, int]) -> dict[str, int]:
    out = dict.fromkeys([*KINDS, "other"], 0)
    for name, size in files.items():
        kind = next((k for k, marks in KINDS.items()
                     if not name.endswith(".id") and ".index" not in name and any(m in name for m in marks)), "other")
        out[kind] += size
    return out


def measured(server: LocalNeo4j, password: str) -> dict[str, int]:
    """The store files after a clean restart (the shutdown checkpoint writes every record)."""
    server.stop()
    server.start(password)
    return store_files(server.data_dir / "databases" / os.environ.get("NEO4J_DATABASE", "neo4j"))


def wipe(graph: Graph) -> None:
    while graph.query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
        pass


def grow(server: LocalNeo4j, password: str, sizes: list[int], chars: int) -> list[dict]:
    rng = random.Random(11)
    steps: list[dict] = []
    before = measured(server, password)
    chunks_done = 0
    for size in sizes:
        chunks = size // NEW_PER_CHUNK
        with Graph.connect() as graph:
            asyncio.run(write_documents(graph, chunks_done, chunks, chars, rng))
        after_docs = measured(server, password)
        with Graph.connect() as graph:
            seconds, entities, relations = asyncio.run(write_extractions(graph, chunks_done, chunks, rng))
        after = measured(server, password)
        steps.append({"size": size, "chunks": chunks - chunks_done, "entities": entities, "relations": relations,
                      "seconds": seconds, "before": before, "after_docs": after_docs, "after": after})
        print(f"  {size:>7,} entities: +{entities:,} entities, +{relations:,} relations in {seconds:.1f} s; store "
              f"{sum(after.values()) / 2**20:,.1f} MiB", flush=True)
        before, chunks_done = after, chunks
    return steps


def report(steps: list[dict], instance: Path) -> None:
    print(f"\n{'size':>9} {'store':>10} {'B/chunk':>9} {'B/entity+3 rel':>15} {'per 1k upserts':>15}")
    for step in steps:
        total = sum(step["after"].values())
        per_chunk = (sum(step["after_docs"].values()) - sum(step["before"].values())) / step["chunks"]
        per_entity = (total - sum(step["after_docs"].values())) / step["entities"]
        upserts = step["entities"] + step["relations"]
        print(f"{step['size']:>9,} {total / 2**20:>8,.1f} MiB {per_chunk:>9,.0f} {per_entity:>15,.0f} "
              f"{step['seconds'] / upserts * 1000:>12.2f} s")
    last = steps[-1]
    grew = {k: by_kind(last["after"])[k] - by_kind(last["after_docs"])[k] for k in [*KINDS, "other"]}
    print(f"\nthe extraction phase of the last step, by store file (bytes per entity with its 3 relations, "
          f"{last['entities']:,} entities):")
    print("  " + ", ".join(f"{k} {v / last['entities']:,.0f}" for k, v in grew.items()))
    tx_logs = sum(store_files(instance / "data" / "transactions" / os.environ.get("NEO4J_DATABASE", "neo4j")).values())
    print(f"transaction logs now {tx_logs / 2**20:,.1f} MiB (rotated and pruned by the server; not in the page cache)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,20000,50000", help="entities after each step (3 relations each)")
    parser.add_argument("--chunk-chars", type=int, default=4_000)
    parser.add_argument("--heap", default="1g", help="the local server's heap when it is restarted")
    parser.add_argument("--pagecache", default="256m", help="the local server's page cache when it is restarted")
    parser.add_argument("--wipe", action="store_true", help="empty the database first (it must be empty otherwise)")
    parser.add_argument("--fresh-store", action="store_true",
                        help="delete the database's store files first (exact figures: a wiped store keeps its files' size)")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    password = os.environ.get("NEO4J_PASSWORD", "")
    server = SizingServer.from_env(heap=args.heap, pagecache=args.pagecache)
    if server.running_pid() is None:
        sys.exit(f"no local Neo4j running in {server.instance_dir}: start it (graphgen-neo4j neo4j start) and source .env")
    if args.fresh_store:
        fresh_store(server, password)
    with Graph.connect() as graph:
        graph.init_schema()
        if args.wipe:
            wipe(graph)
        elif graph.query("MATCH (n) RETURN count(n) > 0 AS used")[0]["used"]:
            sys.exit("the database is not empty: pass --wipe (or --fresh-store) to empty it first")
    print(f"growing to {', '.join(f'{s:,}' for s in sizes)} entities (3 relations each, {NEW_PER_CHUNK} new entities a chunk "
          f"of {args.chunk_chars:,} characters) through ingest's GraphWriter; load average {os.getloadavg()[0]:.1f}")
    started = time.perf_counter()
    try:
        steps = grow(server, password, sizes, args.chunk_chars)
    finally:  # back to the usual configuration (store files preallocated)
        server.stop()
        LocalNeo4j.from_env(heap=args.heap, pagecache=args.pagecache).start(password)
    report(steps, server.instance_dir)
    print(f"({time.perf_counter() - started:.0f} s in all, with {2 * len(sizes) + 1} restarts)")


if __name__ == "__main__":
    main()
