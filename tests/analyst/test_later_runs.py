"""After curation, later runs use the graph as it now is.

An analyst excludes an entity and a relation and merges a duplicate; then quiz, judge,
partition and generate run again on the scripted LLM server. Excluded items reach no
prompt, the merged entity appears once (under the survivor), QA made before from what was
since excluded or merged are stale and left out of the export.
"""

from __future__ import annotations

from typing import Any

from graphgen_neo4j.assess.judge import JudgeConfig, judge
from graphgen_neo4j.assess.quiz import QuizConfig, quiz
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.generate.config import GenerateConfig
from graphgen_neo4j.generate.export import export_qa
from graphgen_neo4j.generate.stage import generate
from graphgen_neo4j.llm import EndpointSettings, LLMClient
from graphgen_neo4j.partition.stage import PartitionConfig, partition
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer
from graphgen_neo4j.testing.scripts import message_text

from .test_curate_queries import curate

EXCLUDED_TEXTS = (
    "Tricyclazole controls rice blast.",  # a relation of the excluded entity
    "Tricyclazole is a fungicide",  # the excluded entity's description
    "Rice blast destroys rice leaves and panicles.",  # the excluded relation
    "Rice blast is a gene.",  # excluded in the example already
)


async def test_later_runs_leave_out_what_was_excluded_and_see_merged_entities_once(
    graph: Graph, example: dict[str, Any], synthesizer: LLMClient, server: ScriptedLLMServer, tmp_path
) -> None:
    curate(graph, "curate/exclude_entity", entity="Tricyclazole", reason="brand name")
    curate(graph, "curate/exclude_relation", source="rice blast", target="rice", reason="too vague")
    merged = curate(graph, "curate/merge_entities", keep="稻瘟病", absorb="稻瘟")[0]
    gone_id, gone_relations = merged["absorbed_id"], {example["稻瘟->水稻"], example["稻瘟->稻瘟病"]}
    stale_before = {r["q"] for r in graph.query("MATCH (q:QA) WHERE q.stale RETURN q.question AS q")}
    assert stale_before == {"What does tricyclazole control?", "稻瘟与水稻有什么关系？"}

    trainee = LLMClient(EndpointSettings(role="trainee", base_url=server.base_url, model="trainee-later", max_retries=0))
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(loss_strategy="both"))
    await judge(graph=graph, trainee=trainee, config=JudgeConfig(loss_strategy="both", re_judge=True))
    partition(graph=graph, config=PartitionConfig(isolated_node_strategy="add"), run_id="partition-later")
    report = await generate(
        graph=graph, synthesizer=synthesizer, run_id="generate-later",
        config=GenerateConfig(modes=["atomic", "aggregated", "multi_hop"], partition_run_id="partition-later"),
    )
    assert report.new_qa > 0

    prompts = [message_text(m) for request in server.requests for m in request.messages]
    leaks = {(r.task, text) for r in server.requests for m in r.messages for text in EXCLUDED_TEXTS if text in message_text(m)}
    assert not leaks, f"excluded items reached prompts: {sorted(leaks)}"
    # what the absorbed entity said reaches prompts through the survivor's folded relation
    assert any("稻瘟在多雨年份流行于水稻产区。" in p for p in prompts)

    batches = graph.query(
        "MATCH (b:Batch {run_id: 'partition-later'}) RETURN b.entity_ids AS entities, b.relation_ids AS relations"
    )
    assert batches and all(gone_id not in b["entities"] for b in batches)
    assert all(not gone_relations & set(b["relations"]) for b in batches)
    excluded = {example["Tricyclazole"], example["Tricyclazole->rice blast"], example["rice blast->rice"]}
    assert all(not excluded & set(b["entities"] + b["relations"]) for b in batches)
    survivor_batches = [b for b in batches if example["稻瘟病"] in b["entities"]]
    assert survivor_batches and all(b["entities"].count(example["稻瘟病"]) == 1 for b in survivor_batches)

    new_qa = graph.query(
        "MATCH (:Run {id: 'generate-later'})-[:PRODUCED]->(q:QA) RETURN q.entity_ids AS e, q.relation_ids AS r, q.stale AS stale"
    )
    assert new_qa and not any(q["stale"] for q in new_qa)
    assert all(gone_id not in q["e"] and not excluded & set(q["e"] + q["r"]) for q in new_qa)

    out = tmp_path / "all.jsonl"
    exported = export_qa(graph, out, fmt="alpaca")
    text = out.read_text(encoding="utf-8")
    assert "What does tricyclazole control?" not in text and "稻瘟与水稻有什么关系？" not in text
    assert exported.records == len(text.splitlines()) > 0


async def test_assessment_leaves_out_relations_of_excluded_entities(
    graph: Graph, example: dict[str, Any], synthesizer: LLMClient, server: ScriptedLLMServer
) -> None:
    curate(graph, "curate/exclude_entity", entity="Tricyclazole")
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig())
    prompts = [message_text(m) for request in server.requests for m in request.messages]
    assert server.count(task="quiz") > 0
    assert not [p for p in prompts if EXCLUDED_TEXTS[0] in p]
