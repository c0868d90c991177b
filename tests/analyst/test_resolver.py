"""The alias review queue: how pairs are found (pure), and `resolve` on the example graph."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graphgen_neo4j.analyst.resolve import (
    EntityRecord,
    ResolveConfig,
    apply_accepted,
    containment_pairs,
    cross_language_pairs,
    edit_distance_pairs,
    levenshtein,
    loose_key,
    name_candidates,
    resolve,
    same_key_pairs,
    shared_alias_pairs,
    survivor_order,
)
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer

from .conftest import counts
from .example_graph import ENTITIES

CONFIG = ResolveConfig()


def entity(name: str, type_: str | None = "DISEASE", **extra: Any) -> EntityRecord:
    return EntityRecord(id=f"ent-{name}", name=name, type=type_, **extra)


def pairs(candidates) -> set[tuple[str, str]]:
    return {tuple(sorted((c.absorb.removeprefix("ent-"), c.keep.removeprefix("ent-")))) for c in candidates}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("kitten", "sitting", 3), ("", "abc", 3), ("flaw", "lawn", 2), ("same", "same", 0), ("ab", "ba", 2)],
)
def test_levenshtein(a: str, b: str, expected: int) -> None:
    assert levenshtein(a, b, 10) == expected
    assert levenshtein(a, b, 1) == min(expected, 2)  # stops early past the limit


def test_loose_key_drops_punctuation_symbols_and_spaces() -> None:
    assert loose_key("Rice-Blast  Disease") == loose_key("rice blast disease") == "riceblastdisease"
    assert loose_key("《稻瘟病》") == "稻瘟病" and loose_key("Ｐｉ－９") == "pi9"
    assert loose_key("---") == "---"  # nothing left: keep the normalized name


def test_same_key_and_shared_alias() -> None:
    records = [entity("rice-blast disease"), entity("Rice Blast Disease"), entity("blast", aliases=["Pyricularia-oryzae"]),
               entity("Magnaporthe oryzae", "PATHOGEN", aliases=["Pyricularia oryzae"]), entity("rice")]
    assert pairs(same_key_pairs(records)) == {("Rice Blast Disease", "rice-blast disease")}
    shared = shared_alias_pairs(records)
    assert pairs(shared) == {("Magnaporthe oryzae", "blast")}
    assert shared[0].score == pytest.approx(0.9 * 0.7)  # DISEASE vs PATHOGEN


def test_containment_words_and_characters() -> None:
    records = [entity("稻瘟"), entity("稻瘟病"), entity("稻瘟病菌", "PATHOGEN"), entity("rice blast"),
               entity("rice blast disease"), entity("rice", "CROP"), entity("ice blast")]
    found = {tuple(sorted((c.absorb[4:], c.keep[4:]))): c for c in containment_pairs(records, CONFIG)}
    assert ("稻瘟", "稻瘟病") in found and ("rice blast", "rice blast disease") in found
    assert ("ice blast", "rice blast") not in found  # whole words only
    assert found[("稻瘟", "稻瘟病")].score > found[("稻瘟", "稻瘟病菌")].score  # covers more of the longer name
    assert found[("稻瘟病", "稻瘟病菌")].score < CONFIG.min_score  # the pathogen is not the disease
    # a generic word inside too many names is not a sign of anything
    many = [entity("gene")] + [entity(f"gene {i}") for i in range(12)]
    assert not [c for c in containment_pairs(many, CONFIG) if c.absorb == "ent-gene" or c.keep == "ent-gene"]


def test_edit_distance_finds_typos_but_not_numbered_or_suffixed_names() -> None:
    records = [entity("Magnaporthe oryzae", "PATHOGEN"), entity("Magnaporthe oryza", "PATHOGEN"),
               entity("Pi9", "GENE"), entity("Pi2", "GENE"), entity("OsWRKY45", "GENE"), entity("OsWRKY13", "GENE"),
               entity("AVR-Pita", "GENE"), entity("AVR-Pitb", "GENE"), entity("tricyclazole", "DRUG"),
               entity("tricylazole", "DRUG"), entity("稻瘟病"), entity("稻温病")]
    found = edit_distance_pairs(records, CONFIG)
    assert pairs(found) == {("Magnaporthe oryza", "Magnaporthe oryzae"), ("tricyclazole", "tricylazole")}
    assert all(0.6 < c.score < 0.9 for c in found)


def test_survivor_has_more_mentions_then_more_relations() -> None:
    a, b = entity("a", mentions=3, degree=1), entity("b", mentions=1, degree=9)
    assert survivor_order(a, b) == (b, a) and survivor_order(b, a) == (b, a)
    c, d = entity("c", mentions=1, degree=2), entity("d", mentions=1, degree=1)
    assert survivor_order(d, c) == (d, c)


def test_name_candidates_keep_the_best_method_per_pair() -> None:
    records = [entity("rice blast disease"), entity("rice-blast disease", aliases=["rice blast disease"])]
    [only] = name_candidates(records, CONFIG)
    assert only.method == "same_key" and only.score == 0.95


def test_cross_language_pairs_from_descriptions_then_shared_chunks() -> None:
    records = [
        entity("稻瘟病", description="稻瘟病（rice blast）是水稻的病害。"),
        entity("rice blast", description="Rice blast, 稻瘟病 in Chinese, is a disease."),
        entity("三环唑", "DRUG", description="三环唑（tricyclazole）是杀菌剂。"),
        entity("Tricyclazole", "DRUG", description="A fungicide."),
        entity("水稻", "CROP", description="粮食作物。"),
        entity("rice", "CROP", description="A cereal."),
        entity("Pi-ta", "GENE", description="A gene."),
    ]
    found = [(a.name, b.name) for a, b in cross_language_pairs(records, co_mentions=[["ent-水稻", "ent-rice", "ent-Pi-ta"]])]
    assert found == [("稻瘟病", "rice blast"), ("三环唑", "Tricyclazole"), ("水稻", "rice")]
    skipped = cross_language_pairs(records, [], skip={frozenset(("ent-稻瘟病", "ent-rice blast"))}, limit=1)
    assert [(a.name, b.name) for a, b in skipped] == [("三环唑", "Tricyclazole")]


# -- the stage on the example graph ----------------------------------------------------------------


def same_as(graph: Graph) -> dict[tuple[str, str], dict[str, Any]]:
    rows = graph.query("MATCH (a)-[s:SAME_AS]->(k) RETURN a.name AS a, k.name AS k, properties(s) AS p")
    return {(r["a"], r["k"]): r["p"] for r in rows}


def test_resolve_proposes_each_kind_of_duplicate_and_merges_nothing(
    graph: Graph, example: dict[str, Any], synthesizer: LLMClient, server: ScriptedLLMServer
) -> None:
    before = counts(graph)
    report = asyncio.run(resolve(graph, synthesizer, ResolveConfig()))
    proposals = same_as(graph)
    by_method = {p["method"]: pair for pair, p in proposals.items()}
    assert set(frozenset(pair) for pair in proposals) >= {
        frozenset(("稻瘟", "稻瘟病")), frozenset(("Magnaporthe oryza", "Magnaporthe oryzae")),
        frozenset(("rice-blast disease", "rice blast disease")), frozenset(("Pyricularia grisea", "Magnaporthe oryzae")),
        frozenset(("稻瘟病", "rice blast")), frozenset(("三环唑", "Tricyclazole")),
    }
    assert set(by_method) == {"same_key", "shared_alias", "containment", "edit_distance", "llm"}
    assert frozenset(("Pi9", "Pi2")) not in {frozenset(p) for p in proposals}
    assert all(p["status"] == "proposed" and 0 < p["score"] <= 1 and p["reason"] for p in proposals.values())
    assert report.proposed == len(proposals) and sum(report.found.values()) == len(proposals)
    assert report.llm_pairs == server.count(task="resolve") >= 2 and report.llm_confirmed >= 2
    assert report.merged == [] and counts(graph)["Entity"] == before["Entity"]
    # the arrow points at the entity that stays: more mentions (稻瘟病 is in two chunks, rice blast too;
    # 稻瘟 in two, 稻瘟病 has more relations)
    assert ("稻瘟", "稻瘟病") in proposals


def test_rejected_pairs_are_never_proposed_again_and_accepted_ones_wait(
    graph: Graph, example: dict[str, Any], synthesizer: LLMClient, server: ScriptedLLMServer
) -> None:
    asyncio.run(resolve(graph, synthesizer, ResolveConfig()))
    graph.query("MATCH (:Entity {name: '稻瘟'})-[s:SAME_AS]->(:Entity {name: '稻瘟病'}) SET s.status = 'rejected'")
    graph.query("MATCH (a:Entity {name: '三环唑'})-[s:SAME_AS]-(:Entity {name: 'Tricyclazole'}) SET s.status = 'accepted'")
    server.clear_requests()

    report = asyncio.run(resolve(graph, synthesizer, ResolveConfig()))

    assert report.proposed == 0 and report.kept_rejected == 1
    assert server.count(task="resolve") == 0  # known pairs are not asked about again
    statuses = {frozenset(k): v["status"] for k, v in same_as(graph).items()}
    assert statuses[frozenset(("稻瘟", "稻瘟病"))] == "rejected"
    assert statuses[frozenset(("三环唑", "Tricyclazole"))] == "accepted"
    assert counts(graph)["Entity"] == len(ENTITIES)  # nothing merged

    merged = apply_accepted(graph)
    assert [(m.absorbed_name, m.kept_name) for m in merged] in ([("三环唑", "Tricyclazole")], [("Tricyclazole", "三环唑")])
    assert graph.query("MATCH ()-[s:SAME_AS {status: 'accepted'}]->() RETURN count(s) AS n")[0]["n"] == 0


def test_a_threshold_accepts_and_merges_the_sure_pairs_only(graph: Graph, example: dict[str, Any]) -> None:
    entities_before = counts(graph)["Entity"]
    report = asyncio.run(resolve(graph, None, ResolveConfig(auto_accept=0.92)))
    assert report.llm_skipped == "no synthesizer endpoint configured"
    merged = {frozenset((m.absorbed_name, m.kept_name)) for m in report.merged}
    assert merged == {frozenset(("rice-blast disease", "rice blast disease"))}  # same_key 0.95; shared_alias 0.9 stays proposed
    assert report.accepted == 1 and counts(graph)["Entity"] == entities_before - 1
    left = {p["status"] for p in same_as(graph).values()}
    assert left == {"proposed"}


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
