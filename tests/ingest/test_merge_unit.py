"""Routing names to entities and folding evidence into properties (no database)."""

from __future__ import annotations

import random
from collections import Counter

from graphgen_neo4j.ids import entity_id, normalize_key
from graphgen_neo4j.ingest.extract import ChunkExtraction, ExtractedEntity, ExtractedRelation
from graphgen_neo4j.ingest.merge import (
    Evidence,
    Mention,
    Router,
    description_props,
    fold_entity,
    format_votes,
    majority_type,
    parse_votes,
    plan_batch,
    relation_props,
)


def test_majority_type_ignores_unknown_and_keeps_the_earlier_leader_on_ties():
    assert majority_type(Counter({"UNKNOWN": 5, "GENE": 1})) == "GENE"
    assert majority_type(Counter({"UNKNOWN": 2})) == "UNKNOWN"
    assert majority_type(Counter({"VARIETY": 1, "CROP": 1})) == "VARIETY"
    votes = parse_votes(["CROP=2", "VARIETY=2", "bad"])
    assert majority_type(votes) == "CROP" and format_votes(votes) == ["CROP=2", "VARIETY=2"]


def test_a_name_routes_through_its_own_key_then_through_its_aliases():
    liu = entity_id(normalize_key("刘备"))
    router = Router({"刘备": liu})
    assert router.entity("刘玄德", ["刘备"]) == liu  # unknown name, known alias
    assert router.entity(" 刘玄德 ") == liu  # now known itself
    assert router.new_aliases == {liu: ["刘玄德"]}
    new = router.entity("诸葛亮", ["孔明"])
    assert new == entity_id("诸葛亮") and router.new_entities == {new: "诸葛亮"}
    assert {r["key"] for r in router.alias_rows} == {"刘玄德", "诸葛亮", "孔明"}
    router.entity("卧龙", ["孔明", "刘备"])  # 刘备 belongs to someone else: proposed, not taken
    assert list(router.proposals.values()) == ["刘备"]


def test_a_batch_plans_mentions_unknown_endpoints_and_evidence():
    first = ChunkExtraction(
        chunk_id="c1",
        entities=[ExtractedEntity(name="Pi9", type="GENE", description="A gene.")],
        relations=[ExtractedRelation(source="Pi9", target="FAO", description="FAO tracks Pi9.", keywords=["tracks"], strength=6),
                   ExtractedRelation(source="pi9", target="PI9", description="self")],
    )
    second = ChunkExtraction(
        chunk_id="c2",
        entities=[ExtractedEntity(name="Rice", type="CROP", description="A crop.")],
        relations=[ExtractedRelation(source="FAO", target="Pi9", description="FAO again.")],
    )
    plan = plan_batch([first, second], known={})
    fao = entity_id("fao")
    assert plan.mentions[("c1", fao)].type == "UNKNOWN"
    assert plan.mentions[("c1", fao)].description == "FAO tracks Pi9."  # new: described by the relation
    assert plan.mentions[("c2", fao)].description == ""  # known by then
    assert plan.mentions[("c2", entity_id("pi9"))].type == "UNKNOWN"
    assert set(plan.evidence) == {(entity_id("pi9"), fao), (fao, entity_id("pi9"))}  # direction kept, self dropped


def test_relation_properties_do_not_depend_on_the_order_of_the_evidence():
    evidence = [Evidence(f"chunk-{i}", f"Description {i % 3}.", [f"k{i % 2}"], float(i % 10 + 1)) for i in range(12)]
    shuffled = evidence[:]
    random.Random(7).shuffle(shuffled)
    one = relation_props({e.chunk_id: e for e in evidence}, None, budget=1000, encoding="cl100k_base")
    two = relation_props({e.chunk_id: e for e in shuffled}, None, budget=1000, encoding="cl100k_base")
    assert one == two
    assert one["descriptions"] == ["Description 0.", "Description 1.", "Description 2."]
    assert one["keywords"] == ["k0", "k1"] and one["strength"] == round(sum(e.strength for e in evidence) / 12, 3)


def test_folding_mentions_counts_votes_and_flags_long_descriptions():
    state = {"type_votes": ["GENE=1"], "descriptions": ["B."], "aliases": ["x"], "mention_count": 1}
    mentions = [Mention("c2", "e", "n", "PROTEIN", "A."), Mention("c3", "e", "n", "PROTEIN", "B.")]
    props = fold_entity(state, mentions, ["y"], budget=1000, encoding="cl100k_base")
    assert (props["type"], props["type_votes"], props["mention_count"]) == ("PROTEIN", ["PROTEIN=2", "GENE=1"], 3)
    assert props["descriptions"] == ["A.", "B."] and props["description"] == "A.\nB." and props["aliases"] == ["x", "y"]
    assert props["summary_pending"] is None
    assert description_props(["long " * 100], None, budget=50, encoding="cl100k_base")["summary_pending"] is True
    assert description_props(["same"], ["same"], budget=50, encoding="cl100k_base") == {}  # unchanged: keep the summary
