"""The whole way on the repository's example documents: ingest → quiz → judge → partition →
generate → export, every LLM call answered by the scripted server over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from graphgen_neo4j.assess.judge import JudgeConfig, judge
from graphgen_neo4j.assess.quiz import QuizConfig, quiz
from graphgen_neo4j.generate.config import GenerateConfig
from graphgen_neo4j.generate.export import FORMATS, RECORD_SCHEMAS, export_qa
from graphgen_neo4j.generate.stage import generate
from graphgen_neo4j.ingest.stage import IngestConfig, ingest
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.partition.stage import PartitionConfig, partition

from .conftest import synthesizer_settings
from .schema_check import errors

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


async def test_generation_on_ingested_example_data(graph, server, tmp_path) -> None:
    synthesizer = LLMClient(synthesizer_settings(server))
    trainee = LLMClient(synthesizer_settings(server, role="trainee"))
    await ingest([EXAMPLES / "rice_en.jsonl", EXAMPLES / "artemisinin_zh.txt"], graph=graph, synthesizer=synthesizer,
                 config=IngestConfig())
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig())
    await judge(graph=graph, trainee=trainee, config=JudgeConfig())
    cut = partition(graph=graph, config=PartitionConfig(max_depth=1, max_extra_edges=2), run_id="partition-ex")
    counts = graph.query(
        "MATCH ()-[r:RELATED]->() RETURN count(r) AS relations, count(r.loss) AS judged")[0]
    assert counts["relations"] >= 6 and counts["judged"] == counts["relations"]

    server.clear_requests()
    report = await generate(graph=graph, synthesizer=synthesizer, run_id="gen-ex",
                            config=GenerateConfig(mix="aggregated=0.5,multi_hop=0.3,atomic=0.2", max_qa=10))
    # The scripted extractor gives every relation of a sentence that sentence as description, so two
    # batches may yield the very same QA: it is stored once and counted as identical.
    assert report.qa + report.duplicate_qa == 10 and report.no_qa == 0 and report.partition_run_id == "partition-ex"
    assert report.batches == cut.batches
    generated = {m: r.generated for m, r in report.modes.items()}
    assert sum(generated.values()) == 10 and generated["aggregated"] >= 1

    rows = graph.query(
        "MATCH (:Run {id: 'gen-ex'})-[:PRODUCED]->(q:QA) RETURN q.language AS language, q.mode AS mode, "
        "q.relation_ids AS relation_ids, q.chunk_ids AS chunk_ids, q.loss AS loss, q.question AS question")
    assert len(rows) == report.qa
    chunks = {r["id"] for r in graph.query("MATCH (c:Chunk) RETURN c.id AS id")}
    relations = {r["id"]: r["loss"] for r in graph.query("MATCH ()-[r:RELATED]->() RETURN r.id AS id, r.loss AS loss")}
    for row in rows:
        assert row["question"].startswith("[canned] ")
        assert row["relation_ids"] and set(row["relation_ids"]) <= set(relations)
        assert row["chunk_ids"] and set(row["chunk_ids"]) <= chunks  # provenance down to the source chunks
        assert row["loss"] is not None
    assert {r["language"] for r in rows} <= {"en", "zh"}

    # Highest loss first: no unused aggregated batch has a higher mean loss than a used one.
    used = {r["loss"] for r in rows if r["mode"] == "aggregated"}
    unused = graph.query(
        "MATCH (b:Batch {run_id: 'partition-ex'}) WHERE NOT EXISTS { (b)-[:YIELDED {unit: 'aggregated'}]->() } "
        "AND size(b.relation_ids) > 0 RETURN max(b.mean_loss) AS top")[0]["top"]
    assert unused is None or unused <= min(used)

    for fmt in FORMATS:
        path = tmp_path / f"{fmt}.jsonl"
        assert export_qa(graph, path, fmt=fmt, run_id="gen-ex", with_metadata=True).records == report.qa
        for line in path.read_text(encoding="utf-8").splitlines():
            assert errors(json.loads(line), RECORD_SCHEMAS[fmt]) == []
