"""LLM calls of the assessment per relation, measured, next to what upstream GraphGen makes.

Builds a synthetic graph (``--relations`` R relations among ``--entities`` E entities,
English and Chinese descriptions), then runs the real ``quiz`` and ``judge`` stages
against the scripted server (``--latency`` seconds per reply, ``--concurrency`` replies
at once, like a vLLM batch) under ``loss_strategy: only_edge`` and then ``both``; a
second quiz and judge show what a re-run costs. Upstream (April 2025) makes, per
description of every entity and relation whatever ``loss_strategy`` says, 2n − 1 quiz
calls (one per paraphrase or negation) and 2n judge calls.

    NEO4J_URI=… NEO4J_PASSWORD=… python bench/assess_calls.py --reset [--relations 300 --entities 200]

The scripted server runs in this process, so the seconds include its CPU time.
It needs an empty database (``--reset`` empties it first: everything in it is deleted).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from graphgen_neo4j.assess.judge import JudgeConfig, judge
from graphgen_neo4j.assess.quiz import QuizConfig, quiz
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.ids import entity_id, relation_id
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.testing import ScriptedLLMServer

# Start each strategy from an unassessed graph, so its figures stand alone.
FORGET = [
    "MATCH (j:Judgement) DETACH DELETE j",
    "MATCH (e:Entity) REMOVE e.quiz_statements, e.quiz_labels, e.quiz_source_hash, e.quiz_samples, e.quizzed_at, e.loss",
    "MATCH ()-[r:RELATED]->() REMOVE r.quiz_statements, r.quiz_labels, r.quiz_source_hash, r.quiz_samples, r.quizzed_at,"
    " r.loss",
]

CREATE = """
UNWIND $entities AS e
MERGE (n:Entity {id: e.id}) SET n.name = e.name, n.type = 'THING', n.description = e.description
WITH count(*) AS done
UNWIND $relations AS r
MATCH (s:Entity {id: r.source}), (t:Entity {id: r.target})
MERGE (s)-[x:RELATED {id: r.id}]->(t) SET x.description = r.description
"""


def synthetic_graph(graph: Graph, n_entities: int, n_relations: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    entities = []
    for i in range(n_entities):
        name = f"基因{i}" if i % 3 == 0 else f"gene-{i}"
        text = f"{name}是一个水稻抗病基因。" if i % 3 == 0 else f"{name} is a rice gene studied for blast resistance."
        entities.append({"id": entity_id(name), "name": name, "description": text})
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_relations:
        a, b = rng.sample(range(n_entities), 2)
        pairs.add((a, b))
    relations = []
    for a, b in sorted(pairs):
        sa, sb = entities[a]["name"], entities[b]["name"]
        text = f"{sa}调控{sb}的表达。" if a % 3 == 0 else f"{sa} regulates the expression of {sb} in leaves."
        relations.append({"id": relation_id(entities[a]["id"], entities[b]["id"]), "source": entities[a]["id"],
                          "target": entities[b]["id"], "description": text})
    graph.query(CREATE, {"entities": entities, "relations": relations})


async def measure(graph: Graph, server: ScriptedLLMServer, strategy: str, n: int, concurrency: int) -> None:
    for statement in FORGET:
        graph.query(statement)
    ledger = TokenLedger()

    def client(role: str, model: str) -> LLMClient:
        settings = EndpointSettings(role=role, base_url=server.base_url, model=model, max_concurrency=concurrency)
        return LLMClient(settings, ledger=ledger)

    async with client("synthesizer", "synth") as synthesizer, client("trainee", f"trainee-{strategy}") as trainee:
        for attempt in ("first run", "re-run"):
            server.clear_requests()
            started = time.monotonic()
            q = await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=n, loss_strategy=strategy))
            quiz_seconds = time.monotonic() - started
            started = time.monotonic()
            j = await judge(graph=graph, trainee=trainee, config=JudgeConfig(loss_strategy=strategy))
            judge_seconds = time.monotonic() - started
            quiz_calls, judge_calls = server.count(task="quiz"), server.count(task="judge")
            relations = j.summary.relations if j.summary else 0
            print(f"  {strategy:9} {attempt:9}  quiz {quiz_calls:5} calls ({q.quizzed_total} items, {quiz_seconds:5.1f} s)"
                  f"  judge {judge_calls:5} calls ({j.judged_total} items, {judge_seconds:5.1f} s)"
                  f"  = {(quiz_calls + judge_calls) / relations:5.2f} calls per relation")


async def main(args: argparse.Namespace) -> None:
    with Graph.connect() as graph, ScriptedLLMServer(latency=args.latency, concurrency=args.concurrency) as server:
        if args.reset:
            while graph.query("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
                pass
        elif graph.query("MATCH (n) RETURN count(n) > 0 AS used")[0]["used"]:
            raise SystemExit("the database is not empty: pass --reset to delete everything in it first")
        graph.init_schema()
        synthetic_graph(graph, args.entities, args.relations)
        n, r, e = args.quiz_samples, args.relations, args.entities
        print(f"{r} relations, {e} entities, quiz_samples {n}; scripted server: {args.latency * 1000:.0f} ms per reply, "
              f"{args.concurrency} at once")
        upstream = (r + e) * ((2 * n - 1) + 2 * n)
        print(f"  upstream  (any strategy): quiz {(r + e) * (2 * n - 1)} + judge {(r + e) * 2 * n} = {upstream} calls"
              f" = {upstream / r:.2f} per relation")
        print(f"  design    only_edge: 1 + 2n = {1 + 2 * n} per relation;  both: (1 + 2n)(R + E)/R = "
              f"{(1 + 2 * n) * (r + e) / r:.2f}")
        for strategy in ("only_edge", "both"):
            await measure(graph, server, strategy, n, args.concurrency)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relations", type=int, default=300)
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--quiz-samples", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per scripted reply")
    parser.add_argument("--concurrency", type=int, default=32, help="replies the server works on at once")
    parser.add_argument("--reset", action="store_true", help="delete everything in the database first")
    asyncio.run(main(parser.parse_args()))
