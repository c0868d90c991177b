"""Every curate query on a real graph: before/after counts, and nothing lost."""

from __future__ import annotations

from typing import Any

import pytest

from graphgen_neo4j.analyst.curation import bind_params, load_query, mark_stale, merge_entities, run_query
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.ids import normalize_key, relation_id

from .conftest import counts


def curate(graph: Graph, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run a library query the way `graphgen-neo4j cypher` does (keys derived, defaults, nulls)."""
    source = load_query(name)
    return run_query(graph, source, bind_params(source, params).values)[0].records()


def relations_of(graph: Graph, entity_id: str) -> list[dict[str, Any]]:
    return graph.query(
        "MATCH (s:Entity)-[r:RELATED]->(t:Entity) WHERE s.id = $id OR t.id = $id "
        "RETURN s.id AS source, t.id AS target, r.id AS id, r.descriptions AS descriptions, "
        "r.chunk_ids AS chunk_ids, r.description AS description",
        {"id": entity_id},
    )


def mentions_of(graph: Graph, entity_id: str) -> set[str]:
    rows = graph.query("MATCH (c:Chunk)-[:MENTIONS]->(:Entity {id: $id}) RETURN c.id AS id", {"id": entity_id})
    return {row["id"] for row in rows}


def alias_owner(graph: Graph, name: str) -> str | None:
    rows = graph.query("MATCH (:Alias {key: $key})-[:ALIAS_OF]->(e:Entity) RETURN e.id AS id", {"key": normalize_key(name)})
    return rows[0]["id"] if rows else None


def qa_state(graph: Graph) -> dict[str, tuple[bool, list[str]]]:
    rows = graph.query("MATCH (q:QA) RETURN q.question AS q, coalesce(q.stale, false) AS stale, q.stale_reasons AS reasons")
    return {row["q"]: (row["stale"], row["reasons"] or []) for row in rows}


def assert_relation_ids_hash_their_pair(graph: Graph) -> None:
    rows = graph.query("MATCH (s:Entity)-[r:RELATED]->(t:Entity) RETURN s.id AS s, t.id AS t, r.id AS id")
    assert all(row["id"] == relation_id(row["s"], row["t"]) for row in rows)


def add_relation(graph: Graph, source: str, target: str, description: str, **props: Any) -> str:
    row = graph.query(
        "MATCH (s:Entity {name: $source}), (t:Entity {name: $target}) "
        "CREATE (s)-[r:RELATED]->(t) SET r = $props, r.id = 'rel-' + left(apoc.util.sha256([s.id + '->' + t.id]), 24) "
        "RETURN r.id AS id",
        {"source": source, "target": target,
         "props": {"description": description, "descriptions": [description], **props}},
    )
    return row[0]["id"]


# -- merge -----------------------------------------------------------------------------------------


def test_merge_folds_a_colliding_relation_drops_the_loop_and_loses_nothing(graph: Graph, example: dict[str, Any]) -> None:
    keep, gone = example["稻瘟病"], example["稻瘟"]
    before = counts(graph)
    gone_relations, keep_relations = relations_of(graph, gone), relations_of(graph, keep)
    gone_mentions, keep_mentions = mentions_of(graph, gone), mentions_of(graph, keep)
    graph.query("MATCH (e:Entity {id: $id}) SET e.type_votes = ['DISEASE=2', 'UNKNOWN=1']", {"id": gone})

    outcome = merge_entities(graph, keep="稻瘟病", absorb="稻瘟")

    assert (outcome.relations_moved, outcome.relations_folded, outcome.loops_dropped) == (0, 1, 1)
    after = counts(graph)
    assert after["Entity"] == before["Entity"] - 1
    assert after["RELATED"] == before["RELATED"] - 2  # one folded into keep's, one loop
    assert after["Alias"] == before["Alias"] and after["ALIAS_OF"] == before["ALIAS_OF"]
    assert graph.query("MATCH (e:Entity {id: $id}) RETURN e", {"id": gone}) == []

    # every relation of the absorbed entity that was not a loop survives on keep, text and chunks too
    now = {(r["source"], r["target"]): r for r in relations_of(graph, keep)}
    for old in gone_relations:
        pair = tuple(keep if x == gone else x for x in (old["source"], old["target"]))
        if pair[0] == pair[1]:
            continue
        assert set(old["descriptions"]) <= set(now[pair]["descriptions"])
        assert set(old["chunk_ids"]) <= set(now[pair]["chunk_ids"])
        assert old["description"] in now[pair]["description"]
    for old in keep_relations:
        if gone not in (old["source"], old["target"]):
            assert now[(old["source"], old["target"])]["id"] == old["id"]
    folded = now[(keep, example["水稻"])]
    assert graph.query("MATCH ()-[r:RELATED {id: $id}]->() RETURN r.merged_from AS m", {"id": folded["id"]})[0]["m"] == [
        example["稻瘟->水稻"]
    ]
    assert_relation_ids_hash_their_pair(graph)

    assert mentions_of(graph, keep) == gone_mentions | keep_mentions
    survivor = graph.query("MATCH (e:Entity {id: $id}) RETURN e", {"id": keep})[0]["e"]
    assert survivor["mention_count"] == len(gone_mentions | keep_mentions)
    assert survivor["merged_from"] == [gone]
    assert "稻瘟" in survivor["aliases"] and "稻热病" in survivor["aliases"]
    assert survivor["type_votes"] == ["DISEASE=3", "UNKNOWN=1"] and survivor["type"] == "DISEASE"
    assert set(survivor["descriptions"]) == {"稻瘟病（rice blast）是水稻最严重的真菌病害之一。", "稻瘟是稻瘟病的简称，多雨年份易流行。"}
    assert alias_owner(graph, "稻瘟") == keep  # later mentions of the absorbed name land on keep
    source = graph.query("MATCH (a:Alias {key: '稻瘟'}) RETURN a.source AS s")[0]["s"]
    assert source == "merged"

    state = qa_state(graph)
    stale, reasons = state["稻瘟与水稻有什么关系？"]
    assert stale and reasons == [f"entity {gone} merged into {keep}"]
    assert [q for q, (s, _) in state.items() if s] == ["稻瘟与水稻有什么关系？"]
    # the batch and the QA now point at keep
    assert graph.query("MATCH (b:Batch)-[:HAS_ENTITY]->(e:Entity {id: $id}) RETURN count(b) AS n", {"id": keep})[0]["n"] == 1
    assert graph.query("MATCH (q:QA)-[:ABOUT]->(:Entity {id: $id}) RETURN count(q) AS n", {"id": keep})[0]["n"] == 2


def test_merge_moves_relations_both_ways_with_new_ids_and_their_loss_history(graph: Graph, example: dict[str, Any]) -> None:
    keep, gone = example["Magnaporthe oryzae"], example["Magnaporthe oryza"]
    incoming = add_relation(graph, "Pi-ta", "Magnaporthe oryza", "Pi-ta resists Magnaporthe oryza.", loss=1.1,
                            chunk_ids=[example["chunks"]["en1"]])
    outgoing = example["Magnaporthe oryza->rice"]
    graph.query("CREATE (:Judgement {id: $id + '@m', item_id: $id, item_kind: 'relation', trainee_model: 'm', loss: 0.7})", {"id": outgoing})
    graph.query(
        "MATCH (a:Entity {id: $gone}), (x:Entity {name: 'Pyricularia grisea'}), (k:Entity {id: $keep}) "
        "CREATE (a)-[:SAME_AS {score: 0.5, method: 'llm', status: 'rejected'}]->(x), "
        "(a)-[:SAME_AS {score: 0.8, method: 'edit_distance', status: 'proposed'}]->(k)",
        {"gone": gone, "keep": keep},
    )
    before = counts(graph)

    outcome = curate(graph, "curate/merge_entities", keep="Magnaporthe oryzae", absorb=gone)[0]

    assert (outcome["relations_moved"], outcome["relations_folded"], outcome["loops_dropped"]) == (2, 0, 0)
    assert counts(graph)["RELATED"] == before["RELATED"]
    now = {(r["source"], r["target"]): r for r in relations_of(graph, keep)}
    moved_out, moved_in = now[(keep, example["rice"])], now[(example["Pi-ta"], keep)]
    assert moved_out["id"] == relation_id(keep, example["rice"]) != outgoing
    assert moved_in["id"] == relation_id(example["Pi-ta"], keep) != incoming
    assert moved_out["descriptions"] == ["Magnaporthe oryza infects rice leaves."]
    kept_loss = graph.query("MATCH ()-[r:RELATED {id: $id}]->() RETURN r.loss AS loss, r.merged_from AS m", {"id": moved_in["id"]})[0]
    assert kept_loss == {"loss": 1.1, "m": [incoming]}
    history = graph.query("MATCH (j:Judgement) RETURN j.id AS id, j.item_id AS item")
    assert history == [{"id": moved_out["id"] + "@m", "item": moved_out["id"]}]
    assert_relation_ids_hash_their_pair(graph)
    # the rejection moves with the entity (never proposed again); the pair's own proposal goes
    same_as = graph.query("MATCH (a)-[s:SAME_AS]->(b) RETURN a.name AS a, b.name AS b, s.status AS status")
    assert same_as == [{"a": "Magnaporthe oryzae", "b": "Pyricularia grisea", "status": "rejected"}]


def test_merge_keeps_what_an_analyst_set_on_the_survivor(graph: Graph, example: dict[str, Any]) -> None:
    curate(graph, "curate/retype_entity", entity="rice blast", type="fungal disease")
    curate(graph, "curate/fix_entity_description", entity="rice blast", description="Rice blast: the worst rice disease.")
    curate(graph, "curate/merge_entities", keep="rice blast", absorb="rice blast disease")
    survivor = graph.query("MATCH (e:Entity {name: 'rice blast'}) RETURN e")[0]["e"]
    assert survivor["type"] == "FUNGAL_DISEASE" and survivor["description"] == "Rice blast: the worst rice disease."
    assert "Rice blast disease lowers yields." in survivor["descriptions"]


@pytest.mark.parametrize(
    ("keep", "absorb", "message"),
    [("稻瘟病", "稻瘟病", "same entity"), ("稻瘟病", "no such thing", "absorb: expected one entity"),
     (None, "稻瘟", "keep: expected one entity")],
)
def test_merge_refuses_what_it_cannot_do_and_changes_nothing(graph: Graph, example: dict[str, Any], keep, absorb, message) -> None:
    before = counts(graph)
    with pytest.raises(GraphGenError, match=message):
        curate(graph, "curate/merge_entities", keep=keep, absorb=absorb)
    assert counts(graph) == before


# -- aliases, names, types, descriptions --------------------------------------------------------


def test_add_and_remove_an_alias(graph: Graph, example: dict[str, Any]) -> None:
    before = counts(graph)
    row = curate(graph, "curate/add_alias", entity="稻瘟病", alias=" 稻瘟病害 ")[0]
    assert row["status"] == "added" and row["key"] == "稻瘟病害"
    assert counts(graph)["Alias"] == before["Alias"] + 1
    assert alias_owner(graph, "稻瘟病害") == example["稻瘟病"]
    alias = graph.query("MATCH (a:Alias {key: '稻瘟病害'}) RETURN a.name AS name, a.source AS source")[0]
    assert alias == {"name": "稻瘟病害", "source": "analyst"}
    assert curate(graph, "curate/add_alias", entity="稻瘟病", alias="稻瘟病害")[0]["status"] == "already"
    with pytest.raises(GraphGenError, match="already routes to entity rice blast"):
        curate(graph, "curate/add_alias", entity="稻瘟病", alias="RICE  BLAST")

    removed = curate(graph, "curate/remove_alias", entity=example["稻瘟病"], alias="稻瘟病害")[0]
    assert removed["aliases"] == ["稻热病"]
    assert counts(graph) == before and alias_owner(graph, "稻瘟病害") is None
    with pytest.raises(GraphGenError, match="is the name of the entity"):
        curate(graph, "curate/remove_alias", entity="稻瘟病", alias="稻瘟病")
    with pytest.raises(GraphGenError, match="has no alias"):
        curate(graph, "curate/remove_alias", entity="稻瘟病", alias="rice")


@pytest.mark.parametrize("name", ["Ｒｉｃｅ　Ｂｌａｓｔ Ｘ", '  "《稻瘟病菌株》"  ', "Magnaporthe\t\tORYZAE-2", "«Pi-ta gene»", "ÉCOLE Normale"])
def test_keys_computed_in_cypher_match_python_normalize_key(graph: Graph, example: dict[str, Any], name: str) -> None:
    """In Browser the key parameter is null and the query computes it; it must equal the Python key."""
    source = load_query("curate/add_alias")
    row = run_query(graph, source, {"entity": "Pi9", "alias": name, "alias_key": None})[0].records()[0]
    assert row["key"] == normalize_key(name)


@pytest.mark.parametrize("name", ["Straße", "Ὀδυσσεύς"])
def test_cypher_keys_differ_only_where_case_folding_does_and_a_given_key_wins(graph: Graph, example: dict[str, Any], name: str) -> None:
    """The documented limitation: lower-casing is not Unicode case folding (ß, final ς). Pass the key."""
    source = load_query("curate/add_alias")
    computed = run_query(graph, source, {"entity": "Pi9", "alias": name, "alias_key": None})[0].records()[0]["key"]
    assert computed != normalize_key(name) and computed == name.lower()
    given = curate(graph, "curate/add_alias", entity="Pi2", alias=name.upper())[0]  # the CLI derives the key
    assert given["key"] == normalize_key(name)


def test_rename_keeps_the_id_and_the_old_name_as_an_alias(graph: Graph, example: dict[str, Any]) -> None:
    row = curate(graph, "curate/rename_entity", entity="Magnaporthe oryzae", new_name="Pyricularia oryzae")[0]
    assert row["id"] == example["Magnaporthe oryzae"] and row["name"] == "Pyricularia oryzae"
    assert row["aliases"] == ["Magnaporthe oryzae"]  # the new name left the list, the old one joined
    assert alias_owner(graph, "Magnaporthe oryzae") == alias_owner(graph, "Pyricularia oryzae") == row["id"]
    rows = graph.query("MATCH (a:Alias)-[:ALIAS_OF]->(:Entity {id: $id}) RETURN a.name AS n, a.source AS s", {"id": row["id"]})
    sources = {r["n"]: r["s"] for r in rows}
    assert sources["Pyricularia oryzae"] == "name" and sources["Magnaporthe oryzae"] == "analyst"
    assert graph.query("MATCH (e:Entity {id: $id}) RETURN e.locked AS l", {"id": row["id"]})[0]["l"] == ["name"]
    with pytest.raises(GraphGenError, match="already routes to entity rice blast"):
        curate(graph, "curate/rename_entity", entity="稻瘟病", new_name="Rice Blast")


def test_retype_and_fix_descriptions_lock_what_the_analyst_set(graph: Graph, example: dict[str, Any]) -> None:
    row = curate(graph, "curate/retype_entity", entity="AVR-Pita", type="effector gene")[0]
    assert (row["old_type"], row["type"]) == ("GENE", "EFFECTOR_GENE")
    row = curate(graph, "curate/fix_entity_description", entity="稻瘟病菌", description=" 稻瘟病菌是子囊菌。 ")[0]
    assert (row["old_description"], row["description"]) == ("稻瘟病菌是引起稻瘟病的真菌。", "稻瘟病菌是子囊菌。")
    row = curate(graph, "curate/fix_relation_description", source="rice blast", target="rice", description="Blast hits rice.")[0]
    assert row["id"] == example["rice blast->rice"] and row["description"] == "Blast hits rice."
    locked = graph.query(
        "MATCH (e:Entity) WHERE e.locked IS NOT NULL RETURN e.name AS n, e.locked AS l ORDER BY n "
        "UNION ALL MATCH ()-[r:RELATED]->() WHERE r.locked IS NOT NULL RETURN r.id AS n, r.locked AS l"
    )
    assert locked == [{"n": "AVR-Pita", "l": ["type"]}, {"n": "稻瘟病菌", "l": ["description"]},
                      {"n": example["rice blast->rice"], "l": ["description"]}]
    with pytest.raises(GraphGenError, match="give the description"):
        curate(graph, "curate/fix_entity_description", entity="稻瘟病菌", description="  ")


# -- exclude, include, delete, stale ------------------------------------------------------------


def test_exclude_and_include_an_entity_marks_and_clears_its_qa(graph: Graph, example: dict[str, Any]) -> None:
    before = counts(graph)
    row = curate(graph, "curate/exclude_entity", entity="Tricyclazole", reason="brand name")[0]  # excluded defaults to true
    assert row["excluded"] is True and (row["qa_stale"], row["qa_fresh"]) == (1, 0)
    state = qa_state(graph)
    assert state["What does tricyclazole control?"] == (True, [f"entity Tricyclazole ({example['Tricyclazole']}) is excluded"])
    assert counts(graph) == before  # nothing deleted
    row = curate(graph, "curate/exclude_entity", entity="Tricyclazole", excluded=False)[0]
    assert row["excluded"] is False and (row["qa_stale"], row["qa_fresh"]) == (0, 1)
    assert qa_state(graph)["What does tricyclazole control?"] == (False, [])


def test_exclude_and_include_a_relation_keeps_other_reasons(graph: Graph, example: dict[str, Any]) -> None:
    question = "Which fungus secretes the effector that Pi-ta recognizes?"
    curate(graph, "curate/exclude_relation", source="Pi-ta", target="AVR-Pita", reason="wrong direction")
    curate(graph, "curate/exclude_entity", entity="Magnaporthe oryzae")
    stale, reasons = qa_state(graph)[question]
    assert stale and len(reasons) == 2
    row = curate(graph, "curate/exclude_relation", relation=example["Pi-ta->AVR-Pita"], excluded=False)[0]
    assert row["excluded"] is False and row["qa_stale"] == 1  # the excluded entity still makes it stale
    assert qa_state(graph)[question] == (True, [f"entity Magnaporthe oryzae ({example['Magnaporthe oryzae']}) is excluded"])
    with pytest.raises(GraphGenError, match="expected one relation"):
        curate(graph, "curate/exclude_relation", source="rice", target="rice blast")


def test_delete_relation_marks_its_qa_stale(graph: Graph, example: dict[str, Any]) -> None:
    before = counts(graph)
    row = curate(graph, "curate/delete_relation", source="Tricyclazole", target=example["rice blast"])[0]
    assert row["id"] == example["Tricyclazole->rice blast"] and row["qa_marked_stale"] == 1
    assert counts(graph)["RELATED"] == before["RELATED"] - 1
    assert qa_state(graph)["What does tricyclazole control?"] == (True, [f"relation {row['id']} was deleted"])


def test_mark_stale_recomputes_after_changes_made_by_hand(graph: Graph, example: dict[str, Any]) -> None:
    graph.query("MATCH ()-[r:RELATED {id: $id}]->() DELETE r", {"id": example["三环唑->稻瘟病"]})
    graph.query("MATCH (q:QA {question: 'What does tricyclazole control?'}) SET q.stale = true")  # wrongly
    result = mark_stale(graph)
    assert result == {"checked": 4, "stale": 1, "newly_stale": 1, "no_longer_stale": 1}
    assert [q for q, (s, _) in qa_state(graph).items() if s] == ["三环唑用于防治什么？"]


def test_review_same_as_sets_status_and_direction(graph: Graph, example: dict[str, Any]) -> None:
    graph.query(
        "MATCH (a:Entity {name: 'rice blast'}), (b:Entity {name: '稻瘟病'}) "
        "CREATE (a)-[:SAME_AS {score: 0.8, method: 'llm', status: 'proposed'}]->(b)"
    )
    row = curate(graph, "curate/review_same_as", keep="rice blast", absorb="稻瘟病", status="accepted")[0]
    assert row == {"keep": "rice blast", "absorb": "稻瘟病", "status": "accepted", "score": 0.8, "method": "llm", "name": None}
    pairs = graph.query("MATCH (a)-[s:SAME_AS]->(b) RETURN a.name AS a, b.name AS b, s.status AS status")
    assert pairs == [{"a": "稻瘟病", "b": "rice blast", "status": "accepted"}]
    row = curate(graph, "curate/review_same_as", keep="rice", absorb="水稻", status="rejected")[0]
    assert (row["method"], row["status"]) == ("analyst", "rejected")
    with pytest.raises(GraphGenError, match="status must be"):
        curate(graph, "curate/review_same_as", keep="rice", absorb="水稻", status="maybe")


def test_merge_folds_per_chunk_evidence_as_ingest_keeps_it(graph: Graph, example: dict[str, Any]) -> None:
    """Relations written by ingest carry evidence lists aligned with sorted chunk_ids: a fold keeps them aligned."""
    graph.query("MATCH ()-[r:RELATED]->() WHERE r.id IN $ids DELETE r", {"ids": [example["稻瘟病->水稻"], example["稻瘟->水稻"]]})
    add_relation(graph, "稻瘟病", "水稻", "稻瘟病危害水稻。", chunk_ids=["chunk-b", "chunk-d"],
                 evidence_descriptions=["稻瘟病危害水稻。", "稻瘟病使水稻减产。"], evidence_keywords=["危害", "减产"],
                 evidence_strengths=[8.0, 6.0], descriptions=["稻瘟病使水稻减产。", "稻瘟病危害水稻。"], strength=7.0)
    add_relation(graph, "稻瘟", "水稻", "稻瘟流行于水稻产区。", chunk_ids=["chunk-a", "chunk-b"],
                 evidence_descriptions=["稻瘟流行于水稻产区。", "稻瘟危害水稻。"], evidence_keywords=["流行", "危害|病害"],
                 evidence_strengths=[4.0, 9.0], descriptions=["稻瘟危害水稻。", "稻瘟流行于水稻产区。"], strength=6.5)

    curate(graph, "curate/merge_entities", keep="稻瘟病", absorb="稻瘟")

    folded = graph.query("MATCH (:Entity {name: '稻瘟病'})-[r:RELATED]->(:Entity {name: '水稻'}) RETURN properties(r) AS r")[0]["r"]
    assert folded["chunk_ids"] == ["chunk-a", "chunk-b", "chunk-d"]
    assert folded["evidence_descriptions"] == ["稻瘟流行于水稻产区。", "稻瘟病危害水稻。 稻瘟危害水稻。", "稻瘟病使水稻减产。"]
    assert folded["evidence_keywords"] == ["流行", "危害|病害", "减产"]
    assert folded["evidence_strengths"] == [4.0, 8.0, 6.0] and folded["strength"] == pytest.approx(6.0)
    assert folded["descriptions"] == sorted({"稻瘟病使水稻减产。", "稻瘟病危害水稻。", "稻瘟危害水稻。", "稻瘟流行于水稻产区。"})
    assert folded["description"] == "\n".join(folded["descriptions"]) and folded["summarized"] is False
