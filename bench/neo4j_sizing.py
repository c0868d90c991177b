"""Benchmark: how the Neo4j store grows with chunks, entities and relations (for sizing a server).

    NEO4J_URI=bolt://127.0.0.1:7705 NEO4J_PASSWORD=… GRAPHGEN_NEO4J_DIR=.neo4j \\
        python bench/neo4j_sizing.py --wipe [--rounds 3] [--chunks 2000] [--entities 10000] [--relations 20000]

Needs the local server (``graphgen-neo4j neo4j start``): the store is measured on disk, in
``$GRAPHGEN_NEO4J_DIR/data/databases/neo4j`` (record stores, strings, arrays and the
indexes of ``cypher/schema.cypher``) after a checkpoint; the transaction logs are reported
apart (they are rotated and pruned, and never read into the page cache).

Each round adds one block in three phases and measures the store after each, so every
byte is charged to what was added:

1. chunks: ``:Document`` (one per 10 chunks, with its full text) and ``:Chunk`` nodes
   (``--chunk-chars`` of text each: a 1,024-token chunk is ~4,000 English characters or
   ~1,500 Chinese ones, ~4.5 KB in UTF-8), ``HAS_CHUNK``;
2. entities: ``:Entity`` with name, type, votes, a description and two per-chunk
   descriptions, one ``:Alias`` and ``ALIAS_OF`` each (a quarter with a second alias),
   and three ``MENTIONS`` from chunks with the chunk's name, type and description;
3. relations: ``RELATED`` with everything extraction and assessment leave on it
   (description, descriptions, keywords, two chunks of evidence, four quiz statements,
   labels, sources, loss) and one ``:Judgement`` node per relation.

The shapes follow docs/data-model.md; the text is made up (Latin letters). Figures: bytes
per chunk, entity and relation (the median of the rounds; round 1 may reuse space freed by
an earlier wipe, which is why rounds are repeated), and the store size of a graph of a
given size as their sum.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphgen_neo4j.db.graph import Graph, batched  # noqa: E402

LOAD_CHUNKS = """
UNWIND $docs AS d
CREATE (doc:Document {id: d.id, sources: [d.source], source_key: d.source, source: d.source, text: d.text,
                      language: 'en', tokens: d.tokens, chunk_count: size(d.chunks), ingested_at: datetime()})
WITH doc, d
UNWIND d.chunks AS c
CREATE (doc)-[:HAS_CHUNK]->(:Chunk {id: c.id, text: c.text, index: c.index, tokens: c.tokens, language: 'en',
                                   status: 'extracted', extracted_at: datetime()})
"""
LOAD_ENTITIES = """
UNWIND $rows AS e
CREATE (n:Entity {id: e.id, name: e.name, type: e.type, type_votes: [e.type + '=3'], description: e.description,
                  descriptions: e.descriptions, aliases: e.aliases, mention_count: 3})
WITH n, e
UNWIND [e.name] + e.aliases AS alias
CREATE (:Alias {key: toLower(alias), name: alias, source: 'llm'})-[:ALIAS_OF]->(n)
WITH DISTINCT n, e
UNWIND e.chunks AS chunk_id
MATCH (c:Chunk {id: chunk_id})
CREATE (c)-[:MENTIONS {name: e.name, type: e.type, description: e.descriptions[0]}]->(n)
"""
LOAD_RELATIONS = """
UNWIND $rows AS r
MATCH (s:Entity {id: r.source}), (t:Entity {id: r.target})
CREATE (s)-[rel:RELATED {id: r.id, description: r.description, descriptions: r.descriptions, keywords: r.keywords,
                         strength: 7.0, chunk_ids: r.chunks, evidence_descriptions: r.descriptions,
                         evidence_keywords: [k IN r.chunks | 'blast|resistance'], evidence_strengths: [7.0, 7.0],
                         quiz_statements: r.quiz, quiz_labels: [true, true, false, false],
                         quiz_sources: ['description', 'model', 'model', 'model'], quiz_source_hash: r.hash,
                         quiz_samples: 2, loss: r.loss, description_tokens: 40}]->(t)
CREATE (:Judgement {id: 'j-' + r.id, item_id: r.id, trainee: 'trainee-model', loss: r.loss, judged_at: datetime()})
"""
CHECKPOINT = False  # Community has no db.checkpoint(): see store_bytes
WORDS = ("rice blast fungus gene leaf root yield drought soil water nitrogen spore resistance protein panicle "
         "infection lesion variety planthopper virus temperature humidity").split()


def sentence(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


def store_bytes(database_dir: Path) -> int:
    return sum(p.stat().st_size for p in database_dir.rglob("*") if p.is_file())


def checkpoint(graph: Graph, database_dir: Path) -> int:
    graph.query("CALL db.checkpoint()") if CHECKPOINT else None
    return store_bytes(database_dir)


def add_chunks(graph: Graph, block: int, chunks: int, chunk_chars: int, rng: random.Random) -> list[str]:
    ids = [f"chunk-size-{block}-{i}" for i in range(chunks)]
    docs = []
    for start in range(0, chunks, 10):
        parts = [{"id": ids[i], "text": sentence(rng, chunk_chars), "index": i - start, "tokens": chunk_chars // 4}
                 for i in range(start, min(chunks, start + 10))]
        docs.append({"id": f"doc-size-{block}-{start}", "source": f"bench#{block}-{start}", "chunks": parts,
                     "text": " ".join(p["text"] for p in parts), "tokens": sum(p["tokens"] for p in parts)})
    for batch in batched(docs, 50):
        graph.query(LOAD_CHUNKS, {"docs": batch})
    return ids


def add_entities(graph: Graph, block: int, entities: int, chunk_ids: list[str], rng: random.Random) -> list[str]:
    ids = [f"ent-size-{block}-{i}" for i in range(entities)]
    rows = [{"id": ids[i], "name": f"Entity {block}-{i}", "type": rng.choice(["GENE", "DISEASE", "VARIETY", "PATHOGEN"]),
             "description": sentence(rng, 160), "descriptions": [sentence(rng, 90), sentence(rng, 90)],
             "aliases": [f"E{block}-{i}"] if i % 4 == 0 else [], "chunks": rng.sample(chunk_ids, 3)}
            for i in range(entities)]
    for batch in batched(rows, 2000):
        graph.query(LOAD_ENTITIES, {"rows": batch})
    return ids


def add_relations(graph: Graph, block: int, relations: int, entity_ids: list[str], chunk_ids: list[str],
                  rng: random.Random) -> None:
    rows = []
    for i in range(relations):
        source, target = rng.sample(entity_ids, 2)
        rows.append({"id": f"rel-size-{block}-{i}", "source": source, "target": target, "description": sentence(rng, 160),
                     "descriptions": [sentence(rng, 90), sentence(rng, 90)], "keywords": ["blast", "resistance"],
                     "chunks": sorted(rng.sample(chunk_ids, 2)), "quiz": [sentence(rng, 120) for _ in range(4)],
                     "hash": f"{rng.getrandbits(64):016x}", "loss": rng.random()})
    for batch in batched(rows, 2000):
        graph.query(LOAD_RELATIONS, {"rows": batch})


def wipe(graph: Graph) -> None:
    while graph.query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=2_000)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--relations", type=int, default=20_000)
    parser.add_argument("--chunk-chars", type=int, default=4_000)
    parser.add_argument("--wipe", action="store_true", help="empty the database first (it must be empty otherwise)")
    args = parser.parse_args()
    instance = Path(os.environ.get("GRAPHGEN_NEO4J_DIR", ".neo4j"))
    database_dir = instance / "data" / "databases" / "neo4j"
    if not database_dir.is_dir():
        sys.exit(f"no local store at {database_dir}: set GRAPHGEN_NEO4J_DIR to the local server's folder")
    rng = random.Random(11)
    with Graph.connect() as graph:
        graph.init_schema()
        if args.wipe:
            wipe(graph)
        elif graph.query("MATCH (n) RETURN count(n) > 0 AS used")[0]["used"]:
            sys.exit("the database is not empty: pass --wipe to empty it first")
        per: dict[str, list[float]] = {"chunk": [], "entity": [], "relation": []}
        started = time.perf_counter()
        for block in range(args.rounds):
            before = checkpoint(graph, database_dir)
            chunk_ids = add_chunks(graph, block, args.chunks, args.chunk_chars, rng)
            after_chunks = checkpoint(graph, database_dir)
            entity_ids = add_entities(graph, block, args.entities, chunk_ids, rng)
            after_entities = checkpoint(graph, database_dir)
            add_relations(graph, block, args.relations, entity_ids, chunk_ids, rng)
            after_relations = checkpoint(graph, database_dir)
            per["chunk"].append((after_chunks - before) / args.chunks)
            per["entity"].append((after_entities - after_chunks) / args.entities)
            per["relation"].append((after_relations - after_entities) / args.relations)
            print(f"round {block + 1}: " + ", ".join(f"{k} {v[-1]:,.0f} B" for k, v in per.items()), flush=True)
        tx_logs = store_bytes(instance / "data" / "transactions" / "neo4j")
        print(f"\n{args.rounds} rounds of {args.chunks:,} chunks ({args.chunk_chars:,} characters), "
              f"{args.entities:,} entities, {args.relations:,} relations; {time.perf_counter() - started:.0f} s")
        medians = {k: statistics.median(v) for k, v in per.items()}
        for kind, value in medians.items():
            print(f"  store bytes per {kind:8}  {value:10,.0f}  (median; rounds: {', '.join(f'{x:,.0f}' for x in per[kind])})")
        print(f"  store now {store_bytes(database_dir) / 2**20:,.1f} MiB; transaction logs {tx_logs / 2**20:,.1f} MiB")
        print("\n  projected store (page cache to hold it whole):")
        for chunks, entities, relations in [(10_000, 50_000, 100_000), (100_000, 500_000, 1_000_000),
                                            (1_000_000, 5_000_000, 10_000_000)]:
            total = chunks * medians["chunk"] + entities * medians["entity"] + relations * medians["relation"]
            print(f"  {chunks:>9,} chunks, {entities:>9,} entities, {relations:>10,} relations: {total / 2**30:7.2f} GiB")


if __name__ == "__main__":
    main()
