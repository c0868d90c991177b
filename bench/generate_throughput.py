"""Generate and export on a synthetic partition: seconds, QA per second, Neo4j's share.

Builds ``--batches`` chains of ``--size`` relations each (random losses), cut into one
``:Batch`` a chain as partition writes them, then runs the real ``generate`` stage in
every mode against the scripted server (``--latency`` seconds per reply, replies at
once limited by ``--concurrency``), a second run (everything is reused: no LLM call),
and an export. ``--max-qa`` and ``--mix`` as on the command line.

    NEO4J_URI=… NEO4J_PASSWORD=… python bench/generate_throughput.py --reset [--batches 2000 --size 3]

The scripted server runs in this process, so the seconds include its CPU time. It needs
an empty database (``--reset`` empties it first: everything in it is deleted).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.generate.config import GenerateConfig
from graphgen_neo4j.generate.export import export_qa
from graphgen_neo4j.generate.stage import generate
from graphgen_neo4j.ids import entity_id, relation_id
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.testing import ScriptedLLMServer

CREATE = """
UNWIND $chains AS chain
UNWIND chain.entities AS e
MERGE (n:Entity {id: e.id}) SET n.name = e.name, n.type = 'THING', n.description = e.description
WITH DISTINCT chain
UNWIND chain.relations AS r
MATCH (s:Entity {id: r.source}), (t:Entity {id: r.target})
MERGE (s)-[x:RELATED {id: r.id}]->(t)
SET x.description = r.description, x.loss = r.loss, x.chunk_ids = ['chunk-' + chain.index]
WITH DISTINCT chain
MERGE (run:Run {id: 'partition-bench'}) ON CREATE SET run.command = 'partition', run.started_at = datetime()
CREATE (b:Batch {id: 'bench-b' + chain.index, run_id: 'partition-bench', index: chain.index,
                 seed_relation_id: chain.relations[0].id, relation_ids: [r IN chain.relations | r.id],
                 entity_ids: [e IN chain.entities | e.id], mean_loss: chain.mean_loss, tokens: 0, status: 'planned'})
"""


def synthetic_partition(graph: Graph, batches: int, size: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    chains = []
    for i in range(batches):
        names = [f"Item {i}-{k}" for k in range(size + 1)]
        entities = [{"id": entity_id(n.lower()), "name": n, "description": f"{n} is a part of system {i}."} for n in names]
        relations = []
        for k in range(size):
            loss = round(rng.uniform(0.05, 4.0), 3)
            relations.append({"id": relation_id(entities[k]["id"], entities[k + 1]["id"]), "source": entities[k]["id"],
                              "target": entities[k + 1]["id"], "loss": loss,
                              "description": f"{names[k]} drives {names[k + 1]} in system {i}."})
        chains.append({"index": i, "entities": entities, "relations": relations,
                       "mean_loss": sum(r["loss"] for r in relations) / size})
    for start in range(0, len(chains), 500):
        graph.query(CREATE, {"chains": chains[start:start + 500]})


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=2000)
    parser.add_argument("--size", type=int, default=3, help="relations per batch")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-qa", type=int, default=None)
    parser.add_argument("--mix", default=None)
    parser.add_argument("--write-every", type=int, default=32)
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    args = parser.parse_args()

    with Graph.connect() as graph, ScriptedLLMServer(latency=args.latency, concurrency=args.concurrency) as server:
        if args.reset:
            while graph.query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
                pass
        graph.init_schema()
        started = time.perf_counter()
        synthetic_partition(graph, args.batches, args.size)
        print(f"graph: {args.batches} batches of {args.size} relations built in {time.perf_counter() - started:.1f} s")

        settings = EndpointSettings(role="synthesizer", base_url=server.base_url, model="graphgen-scripted",
                                    max_concurrency=args.concurrency)
        config = GenerateConfig(modes=["atomic", "aggregated", "multi_hop"], max_concurrency=args.concurrency,
                                max_qa=args.max_qa, mix=args.mix, write_every=args.write_every)
        neo4j_seconds = [0.0]
        original_run = graph.run

        def timed_run(name, **params):
            t0 = time.perf_counter()
            try:
                return original_run(name, **params)
            finally:
                neo4j_seconds[0] += time.perf_counter() - t0

        graph.run = timed_run  # type: ignore[method-assign]
        for label, run_id in (("first run", "gen-bench-1"), ("second run (all reused)", "gen-bench-2")):
            ledger = TokenLedger()
            neo4j_seconds[0] = 0.0
            async with LLMClient(settings, ledger=ledger) as client:
                t0 = time.perf_counter()
                report = await generate(graph=graph, synthesizer=client, config=config, run_id=run_id)
                seconds = time.perf_counter() - t0
            by_mode = {m: r.generated + r.reused for m, r in report.modes.items()}
            print(f"{label}: {report.qa} QA {by_mode} in {seconds:.2f} s = {report.qa / seconds:.0f} QA/s; "
                  f"LLM calls {ledger.totals().calls}; Neo4j queries {neo4j_seconds[0]:.2f} s "
                  f"({100 * neo4j_seconds[0] / seconds:.0f} %)")
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            exported = export_qa(graph, Path(tmp) / "train.jsonl", fmt="sharegpt", run_id="gen-bench-2", with_metadata=True)
            seconds = time.perf_counter() - t0
            size = (Path(tmp) / "train.jsonl").stat().st_size
        print(f"export: {exported.records} records, {size / 1e6:.1f} MB in {seconds:.2f} s")
        print(f"scripted server requests: {server.count()}")


if __name__ == "__main__":
    asyncio.run(main())
