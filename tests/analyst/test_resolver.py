"""`resolve` on the example graph: proposals with evidence, decisions kept, merges, the vector index.

How pairs are found and scored without a database: test_resolve_candidates.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graphgen_neo4j.analyst.curation import load_query, run_query
from graphgen_neo4j.analyst.resolve import ResolveConfig, apply_accepted, resolve
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import StageFailed
from graphgen_neo4j.ingest.stage import IngestConfig, ingest
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.llm.embeddings import EmbeddingClient
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer

from .conftest import counts
from .example_graph import ENTITIES

# -- the stage on the example graph ----------------------------------------------------------------


def same_as(graph: Graph) -> dict[tuple[str, str], dict[str, Any]]:
    rows = graph.query("MATCH (a)-[s:SAME_AS]->(k) RETURN a.name AS a, k.name AS k, properties(s) AS p")
    return {(r["a"], r["k"]): r["p"] for r in rows}


def test_resolve_proposes_each_kind_of_duplicate_with_its_evidence_and_merges_nothing(
    graph: Graph, example: dict[str, Any], synthesizer: LLMClient, server: ScriptedLLMServer
) -> None:
    before = counts(graph)
    report = asyncio.run(resolve(graph, synthesizer, ResolveConfig()))
    proposals = same_as(graph)
    assert set(frozenset(pair) for pair in proposals) == {
        frozenset(("稻瘟", "稻瘟病")), frozenset(("Magnaporthe oryza", "Magnaporthe oryzae")),
        frozenset(("rice-blast disease", "rice blast disease")), frozenset(("Pyricularia grisea", "Magnaporthe oryzae")),
        frozenset(("稻瘟病", "rice blast")), frozenset(("三环唑", "Tricyclazole")),
        frozenset(("rice blast", "rice blast disease")), frozenset(("rice blast", "rice-blast disease")),
    }  # not Pi9 / Pi2 (numbers differ), not 稻瘟病 / 稻瘟病菌 (the pathogen is not the disease)
    assert {m for p in proposals.values() for m in p["signals"]} == {"same_key", "shared_alias", "containment", "edit_distance", "evidence", "mentioned"}
    assert all(p["status"] == "proposed" and 0 < p["score"] <= 1 and p["reason"] and p["evidence"] for p in proposals.values())
    assert all(p["verdict"].startswith("same ") and "[canned]" in p["verdict"] for p in proposals.values())
    translation = proposals[("三环唑", "Tricyclazole")]  # the material is half Chinese, half English: more mentions stay
    assert translation["signals"] == ["evidence", "mentioned"] and translation["chunk_ids"] == [example["chunks"]["zh1"]]
    assert any(e.startswith("same (parentheses): 三环唑（tricyclazole）") for e in translation["evidence"])
    assert report.proposed == len(proposals) == len(report.proposals)
    assert report.llm_pairs == report.candidates == 8 and report.llm_confirmed == 8
    assert server.count(task="resolve_batch") == 1 and server.count(task="resolve") == 0  # 10 pairs per call
    assert report.merged == [] and counts(graph)["Entity"] == before["Entity"]
    # the arrow points at the entity that stays: 稻瘟 and 稻瘟病 have as many mentions; 稻瘟病 was seen as early and has more relations
    assert ("稻瘟", "稻瘟病") in proposals


def test_the_llm_keeps_pairs_apart_that_it_says_differ(graph: Graph, example: dict[str, Any], synthesizer: LLMClient) -> None:
    graph.query("MATCH (e:Entity {name: '稻瘟'}) SET e.description = '稻瘟是稻瘟病的一种。'")  # a hard-negative cue
    report = asyncio.run(resolve(graph, synthesizer, ResolveConfig()))
    assert frozenset(("稻瘟", "稻瘟病")) not in {frozenset(pair) for pair in same_as(graph)}
    assert report.proposed == 7 and report.candidates == 8  # 0.77 × 0.3 for the cue: too weak to ask about


def test_rejected_pairs_are_never_proposed_again_and_accepted_ones_wait(
    graph: Graph, example: dict[str, Any], synthesizer: LLMClient, server: ScriptedLLMServer
) -> None:
    asyncio.run(resolve(graph, synthesizer, ResolveConfig()))
    graph.query("MATCH (:Entity {name: '稻瘟'})-[s:SAME_AS]->(:Entity {name: '稻瘟病'}) SET s.status = 'rejected'")
    graph.query("MATCH (a:Entity {name: '三环唑'})-[s:SAME_AS]-(:Entity {name: 'Tricyclazole'}) SET s.status = 'accepted'")
    server.clear_requests()

    report = asyncio.run(resolve(graph, synthesizer, ResolveConfig()))

    assert report.proposed == 0 and report.kept_rejected == 1 and report.kept_accepted == 1 and report.rescored == 6
    assert server.count(task="resolve_batch") == 1 and report.llm_pairs == 6  # decided pairs are not asked about again
    statuses = {frozenset(k): v["status"] for k, v in same_as(graph).items()}
    assert statuses[frozenset(("稻瘟", "稻瘟病"))] == "rejected"
    assert statuses[frozenset(("三环唑", "Tricyclazole"))] == "accepted"
    assert counts(graph)["Entity"] == len(ENTITIES)  # nothing merged

    merged = apply_accepted(graph)
    assert [(m.absorbed_name, m.kept_name) for m in merged] == [("三环唑", "Tricyclazole")]
    assert graph.query("MATCH ()-[s:SAME_AS {status: 'accepted'}]->() RETURN count(s) AS n")[0]["n"] == 0


def test_an_accepted_pair_can_name_the_survivor(graph: Graph, example: dict[str, Any]) -> None:
    asyncio.run(resolve(graph, None, ResolveConfig(methods=["evidence"])))
    params = {"keep": "Tricyclazole", "absorb": "三环唑", "status": "accepted", "name": "三环唑"}
    rows = run_query(graph, load_query("curate/review_same_as"), params)[0].records()
    assert rows[0]["name"] == "三环唑"
    [merged] = apply_accepted(graph)
    assert (merged.absorbed_name, merged.kept_name) == ("三环唑", "三环唑")
    survivor = graph.query("MATCH (e:Entity {id: $id}) RETURN e.name AS name, e.locked AS locked", {"id": example["Tricyclazole"]})[0]
    assert survivor["name"] == "三环唑" and "name" in survivor["locked"]
    aliases = {r["name"] for r in graph.query("MATCH (a:Alias)-[:ALIAS_OF]->(e:Entity {id: $id}) RETURN a.name AS name", {"id": example["Tricyclazole"]})}
    assert {"三环唑", "Tricyclazole"} <= aliases  # both names still route here


def test_auto_accept_above_merges_the_sure_pairs_only(graph: Graph, example: dict[str, Any]) -> None:
    entities_before = counts(graph)["Entity"]
    report = asyncio.run(resolve(graph, None, ResolveConfig(auto_accept=0.96)))
    assert report.llm_skipped == "no synthesizer endpoint configured"
    merged = {frozenset((m.absorbed_name, m.kept_name)) for m in report.merged}
    assert merged == {frozenset(("稻瘟病", "rice blast")), frozenset(("三环唑", "Tricyclazole"))}  # evidence 0.99; same_key 0.95 stays
    assert report.accepted == 2 and counts(graph)["Entity"] == entities_before - 2
    assert {p["status"] for p in same_as(graph).values()} == {"proposed"}


def test_embeddings_are_stored_indexed_and_queried_through_the_vector_index(
    graph: Graph, example: dict[str, Any], server: ScriptedLLMServer
) -> None:
    ledger = TokenLedger()
    embedder = EmbeddingClient(EndpointSettings(role="embedding", base_url=server.base_url, model="scripted-embed", max_retries=0), ledger=ledger)
    config = ResolveConfig(methods=["embedding"], min_score=0.4, embedding_min_similarity=0.6)
    report = asyncio.run(resolve(graph, None, config, embedder=embedder))
    assert report.embedded == len(ENTITIES) and server.count(task="embedding", path="/v1/embeddings") == 1
    index = graph.query("SHOW VECTOR INDEXES YIELD name, state, options WHERE name = 'entity_embedding' "
                        "RETURN state, options.indexConfig.`vector.dimensions` AS dims")
    assert index == [{"state": "ONLINE", "dims": 64}]
    stored = graph.query("MATCH (e:Entity) RETURN count(e.embedding) AS n, collect(DISTINCT e.embedding_model) AS models")[0]
    assert stored == {"n": len(ENTITIES), "models": ["scripted-embed"]}
    proposals = same_as(graph)
    assert frozenset(("rice-blast disease", "rice blast disease")) in {frozenset(p) for p in proposals}
    assert all(p["signals"] == ["embedding"] and 0.3 <= p["score"] <= 0.5 for p in proposals.values())  # nearness alone is weak
    # a second run embeds nothing again (same model, same texts); a changed description is embedded anew
    graph.query("MATCH (e:Entity {name: 'rice'}) SET e.description = 'Rice feeds half the world.'")
    again = asyncio.run(resolve(graph, None, config, embedder=embedder))
    assert again.embedded == 1 and server.count(task="embedding", path="/v1/embeddings") == 2
    assert sum(r.calls for r in ledger.rows()) == 2


def test_without_an_embedding_endpoint_the_other_signals_still_work(graph: Graph, example: dict[str, Any]) -> None:
    report = asyncio.run(resolve(graph, None, ResolveConfig()))
    assert report.embedding_skipped and report.proposed == 8


def test_extraction_proposals_are_redrawn_towards_the_survivor(graph: Graph, example: dict[str, Any]) -> None:
    # ingest proposes shared aliases with an arbitrary direction and its own properties
    graph.query(
        "MATCH (a:Entity {name: '稻瘟病'}), (b:Entity {name: '稻瘟'}) "
        "CREATE (a)-[:SAME_AS {score: 0.9, method: 'shared_alias', status: 'proposed', alias_key: 'x'}]->(b)"
    )
    report = asyncio.run(resolve(graph, None, ResolveConfig(methods=["containment"])))
    assert report.rescored == 1
    proposal = same_as(graph)[("稻瘟", "稻瘟病")]
    assert proposal["method"] == "containment" and proposal["alias_key"] == "x"


async def test_a_later_document_naming_the_absorbed_entity_lands_on_the_survivor(
    graph: Graph, example: dict[str, Any], synthesizer: LLMClient, server: ScriptedLLMServer, tmp_path
) -> None:
    await resolve(graph, synthesizer, ResolveConfig(auto_accept=0.9))
    survivor = graph.query("MATCH (e:Entity) WHERE e.id = $id RETURN e.name AS name", {"id": example["Tricyclazole"]})
    assert survivor == [{"name": "Tricyclazole"}] and not graph.query("MATCH (e:Entity {name: '三环唑'}) RETURN e")

    text = "三环唑可以在抽穗前喷施。"
    reply = {"entities": [{"name": "三环唑", "type": "DRUG", "description": "三环唑在抽穗前喷施。", "aliases": []},
                          {"name": "抽穗期", "type": "CONCEPT", "description": "水稻抽穗的时期。", "aliases": []}],
             "relations": [{"source": "三环唑", "target": "抽穗期", "description": "三环唑在抽穗前喷施。", "keywords": ["喷施"], "strength": 7}]}
    server.set_extraction_replies({text: reply})
    (tmp_path / "later.txt").write_text(text, encoding="utf-8")
    await ingest([tmp_path / "later.txt"], graph=graph, synthesizer=synthesizer, config=IngestConfig(max_gleaning=0, summarize=False))

    mentioned = graph.query("MATCH (c:Chunk {text: $text})-[:MENTIONS]->(e:Entity) RETURN e.id AS id, e.name AS name ORDER BY name", {"text": text})
    assert {"id": example["Tricyclazole"], "name": "Tricyclazole"} in mentioned
    assert not graph.query("MATCH (e:Entity {name: '三环唑'}) RETURN e")  # no new entity under the absorbed name


def test_auto_accept_adds_the_names_the_text_states_and_they_route_there(graph: Graph, example: dict[str, Any]) -> None:
    graph.query("MATCH (e:Entity {name: '稻瘟病'}) SET e.description = '稻瘟病俗称火烧瘟，是水稻的真菌病害。'")
    proposed = asyncio.run(resolve(graph, None, ResolveConfig()))
    assert [(a.entity_name, a.alias, a.cue) for a in proposed.alias_proposals] == [("稻瘟病", "火烧瘟", "俗称")]
    assert proposed.aliases_added == 0 and not graph.query("MATCH (a:Alias {key: '火烧瘟'}) RETURN a")  # proposed only

    report = asyncio.run(resolve(graph, None, ResolveConfig(auto_accept=0.9)))
    assert report.aliases_added == 1
    routed = graph.query("MATCH (a:Alias {key: '火烧瘟'})-[:ALIAS_OF]->(e:Entity) RETURN a.source AS source, e.name AS name, e.aliases AS aliases")
    assert routed[0]["source"] == "resolve" and "火烧瘟" in routed[0]["aliases"]
    assert routed[0]["name"] in ("稻瘟病", "rice blast")  # merged with its translation above 0.9 as well


def test_unreadable_verdicts_fail_only_their_pairs_and_a_rejected_key_stops_the_run(
    graph: Graph, example: dict[str, Any], synthesizer: LLMClient, server: ScriptedLLMServer
) -> None:
    server.inject("empty_content", times=None, task="resolve")  # every verdict is unreadable (one call per pair)
    report = asyncio.run(resolve(graph, synthesizer, ResolveConfig(llm_batch_pairs=1)))
    assert report.llm_failed == 8 == len(report.failures) and report.llm_confirmed == 0
    assert report.proposed == 8  # the run goes on: each failed pair keeps its prior score
    assert all(p.verdict is None and p.score == p.prior for p in report.proposals)
    server.clear_faults()  # batched: an unreadable reply fails its batch's pairs, the others are decided
    graph.query("MATCH ()-[s:SAME_AS]->() DELETE s")
    server.inject("empty_content", times=None, task="resolve_batch")
    report = asyncio.run(resolve(graph, synthesizer, ResolveConfig(llm_batch_pairs=3)))
    assert report.llm_failed == 8 == len(report.failures) and report.proposed == 8
    assert server.count(task="resolve_batch") >= 3  # 8 pairs in batches of 3

    server.clear_faults()
    graph.query("MATCH ()-[s:SAME_AS]->() DELETE s")
    server.inject("401", times=None, task="resolve_batch")
    with pytest.raises(StageFailed, match="API key rejected"):
        asyncio.run(resolve(graph, synthesizer, ResolveConfig()))
    assert not graph.query("MATCH ()-[s:SAME_AS]->() RETURN s")  # nothing half-written
