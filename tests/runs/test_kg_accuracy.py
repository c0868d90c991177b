"""LLM-judged accuracy of a graph sample: the sample, the prompt, the scripted responder,
and ``report --judge-sample`` on Neo4j with the scripted server (cached on a re-run)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.runs.kg_accuracy import Claim, claim_messages, sample_ids
from graphgen_neo4j.testing.scripts import get_responder
from graphgen_neo4j.testing.scripts.kg_accuracy import parse


def test_the_sample_is_fixed_by_the_ids_not_their_order() -> None:
    ids = [f"ent-{i:03d}" for i in range(50)]
    first = sample_ids(ids, 5)
    assert len(first) == 5 and first == sample_ids(list(reversed(ids)), 5)
    assert sample_ids(ids, 5, seed=1) != first
    assert sample_ids(ids[:3], 5) == ids[:3]


@pytest.mark.parametrize("passage, kind", [("Pi9 resists rice blast.", "entity"), ("Pi9 抗稻瘟病。", "实体")])
def test_the_prompt_follows_the_passage_language_and_the_responder_reads_it(passage, kind) -> None:
    claim = Claim(kind="entity", id="e", names=["Pi9"], record="Pi9 (GENE): a gene.", passage=passage)
    user = claim_messages(claim)[-1]["content"]
    assert kind in user and "Pi9 (GENE): a gene." in user
    assert parse(user) == (["Pi9"], passage)
    relation = Claim(kind="relation", id="r", names=["Pi9", "IR36"], record="Pi9 → IR36: x", passage=passage)
    assert parse(claim_messages(relation)[-1]["content"]) == (["Pi9", "IR36"], passage)


def _reply(claim: Claim) -> dict:
    from graphgen_neo4j.testing.scripts import ScriptedRequest

    request = ScriptedRequest(task="kg_accuracy", messages=claim_messages(claim))
    return json.loads(get_responder("kg_accuracy")(request))


def test_the_scripted_responder_supports_only_names_in_the_passage() -> None:
    good = _reply(Claim(kind="entity", id="e", names=["pi9"], record="r", passage="Pi9 resists rice blast."))
    bad = _reply(Claim(kind="relation", id="r", names=["Pi9", "IR36"], record="r", passage="Pi9 resists rice blast."))
    assert good["supported"] is True and bad["supported"] is False
    assert bad["reason"].startswith("[canned]") and "IR36" in bad["reason"]


@pytest.mark.neo4j
def test_report_judge_sample_counts_supported_records_and_is_cached(build_graph, graph, cli_env, scripted_llm, tmp_path) -> None:
    ids = build_graph(
        entities=[("Pi9", "GENE", "Pi9 resists blast."), ("IR36", "VARIETY", "IR36 carries Pi9."),
                  ("Rice blast", "DISEASE", "A disease.")],
        relations=[("Pi9", "Rice blast", "Pi9 resists rice blast.", {"chunk_ids": ["chunk-1"]}),
                   ("IR36", "Pi9", "IR36 carries Pi9.", {"chunk_ids": ["chunk-1"]})],
    )
    graph.query("""
        CREATE (c:Chunk {id: 'chunk-1', text: 'Pi9 resists rice blast.'})
        WITH c MATCH (e:Entity) WHERE e.id IN [$pi9, $ir36] CREATE (c)-[:MENTIONS]->(e)""",
                {"pi9": ids["Pi9"], "ir36": ids["IR36"]})
    dataset = tmp_path / "qa.jsonl"
    dataset.write_text(json.dumps({"instruction": "What does Pi9 resist?", "output": "Rice blast."}) + "\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["report", str(dataset), "--judge-sample", "5", "--json"])
    assert result.exit_code == 0, result.output
    accuracy = json.loads(result.output)["kg_accuracy"]
    assert accuracy["entities"] == {"sampled": 3, "no_source": 1, "judged": 2, "supported": 1, "failed": 0}
    assert accuracy["relations"] == {"sampled": 2, "no_source": 0, "judged": 2, "supported": 1, "failed": 0}
    assert (accuracy["entity_accuracy"], accuracy["relation_accuracy"]) == (0.5, 0.5)
    assert {kind for kind, _, _ in accuracy["unsupported"]} == {"entity", "relation"}
    calls = scripted_llm.count(task="kg_accuracy")
    assert calls == 4

    again = CliRunner().invoke(app, ["report", str(dataset), "--judge-sample", "5", "--html", str(tmp_path / "r.html")])
    assert again.exit_code == 0, again.output
    assert scripted_llm.count(task="kg_accuracy") == calls  # the same sample, from the response cache
    assert "token ledger" in again.output  # the table itself wraps with the terminal's width: the page is checked
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "entities supported by their chunk (LLM-judged)" in page and "1 / 2 (50.0%)" in page

    refused = CliRunner().invoke(app, ["report", str(dataset), "--judge-sample", "5", "--no-graph"])
    assert refused.exit_code == 1 and "drop --no-graph" in refused.output
