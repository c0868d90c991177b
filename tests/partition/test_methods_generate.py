"""``generate`` consumes the batches of every partition method unchanged (scripted server)."""

from __future__ import annotations

import pytest

from graphgen_neo4j.generate.config import GenerateConfig
from graphgen_neo4j.generate.stage import generate
from graphgen_neo4j.llm import EndpointSettings, LLMClient
from graphgen_neo4j.partition.stage import PartitionConfig, partition

from .test_methods import TRIANGLES
from .test_semantics import TOY


@pytest.mark.parametrize("config", [
    PartitionConfig(method="ece", max_units_per_community=5),
    PartitionConfig(method="bfs", max_units_per_community=4),
    PartitionConfig(method="dfs", max_units_per_community=4),
    PartitionConfig(method="community", max_size=3),
], ids=["ece", "bfs", "dfs", "community"])
async def test_generate_reads_the_batches_of_each_method(graph, make_graph, scripted_llm, config):
    make_graph(TRIANGLES + [(f"{s}2", f"{t}2", loss) for s, t, loss in TOY])
    cut = partition(graph=graph, config=config, run_id="cut")
    assert cut.batches > 0
    synthesizer = LLMClient(EndpointSettings(role="synthesizer", base_url=scripted_llm.base_url,
                                             model="graphgen-scripted", timeout=5.0, max_retries=1))
    report = await generate(graph=graph, synthesizer=synthesizer, run_id="gen",
                            config=GenerateConfig(mix="aggregated=1", partition_run_id="cut"))
    assert report.partition_run_id == "cut" and report.batches == cut.batches
    assert report.qa + report.duplicate_qa >= cut.relation_batches and report.no_qa == 0
    stored = graph.query("MATCH (:Run {id: 'gen'})-[:PRODUCED]->(q:QA) RETURN q.relation_ids AS ids")
    relations = {r["id"] for r in graph.query("MATCH ()-[r:RELATED]->() RETURN r.id AS id")}
    assert stored and all(set(row["ids"]) <= relations for row in stored)
