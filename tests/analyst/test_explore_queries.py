"""The explore queries on the example graph: what an analyst sees."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from neo4j.graph import Node, Relationship

from graphgen_neo4j.analyst.curation import bind_params, load_query, run_query
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError

from .example_graph import RELATIONS


def explore(graph: Graph, name: str, **params: Any) -> tuple[list[str], list[list[Any]]]:
    source = load_query(name)
    result = run_query(graph, source, bind_params(source, params).values)[0]
    return result.columns, result.rows


def palette(entity_type: str) -> str:
    return hashlib.md5(entity_type.encode()).hexdigest()[0].upper()


def band(loss: float | None, excluded: bool = False) -> str:
    if excluded:
        return "EXCLUDED"
    if loss is None:
        return "UNJUDGED"
    return "LOSS_HIGH" if loss >= 1.0 else "LOSS_MID" if loss >= 0.3 else "LOSS_LOW"


def test_neighbourhood_draws_entities_by_type_and_relations_by_loss(graph: Graph, example: dict[str, Any]) -> None:
    columns, rows = explore(graph, "explore/neighbourhood", entity="Pi-ta", hops=1)
    assert columns[:3] == ["source", "relation", "target"]
    drawn = {(r[0]["name"], r[2]["name"]): r[1] for r in rows}
    assert set(drawn) == {("Pi-ta", "AVR-Pita"), ("rice blast", "Pi-ta")}
    for (source, target), relation in drawn.items():
        assert isinstance(relation, Relationship)
        spec = next(s for s in RELATIONS if s[:2] == (source, target))
        assert relation.type == band(spec[3], spec[5].get("excluded", False))
    nodes = {r[0]["name"]: r[0] for r in rows} | {r[2]["name"]: r[2] for r in rows}
    # the type, and a palette label from its hash (the colour of a type the style does not know)
    assert isinstance(nodes["Pi-ta"], Node) and nodes["Pi-ta"].labels == {"GENE", f"Colour{palette('GENE')}"}
    assert nodes["rice blast"].labels == {"DISEASE", f"Colour{palette('DISEASE')}"}
    # one drawn node per entity, whatever the number of rows it appears in
    assert len({n.element_id for r in rows for n in (r[0], r[2])}) == 3

    _, two_hops = explore(graph, "explore/neighbourhood", entity=example["Pi-ta"], hops=2)
    assert len(two_hops) > len(rows)
    assert graph.query("MATCH (n) WHERE n.name IS NULL AND NOT n:Run AND NOT n:QA AND NOT n:Batch "
                       "AND NOT n:Chunk AND NOT n:Document RETURN count(n) AS n")[0]["n"] == 0  # nothing written


def test_neighbourhood_of_an_isolated_entity_shows_the_entity(graph: Graph, example: dict[str, Any]) -> None:
    graph.query("CREATE (:Entity {id: 'ent-lonely', name: 'lonely', type: 'CONCEPT'})")
    _, rows = explore(graph, "explore/neighbourhood", entity="lonely")
    assert len(rows) == 1 and rows[0][0]["name"] == "lonely" and rows[0][1] is None


def test_highest_loss_relations_are_the_blind_spots_without_excluded_items(graph: Graph, example: dict[str, Any]) -> None:
    _, rows = explore(graph, "explore/highest_loss_relations", limit=3)
    expected = sorted((s for s in RELATIONS if s[3] is not None and not s[5].get("excluded")), key=lambda s: -s[3])[:3]
    assert [(r[3], r[4], r[5]) for r in rows] == [(s[0], s[1], s[3]) for s in expected]
    assert all(r[1].type == "LOSS_HIGH" for r in rows)
    graph.query("MATCH (e:Entity {name: 'Tricyclazole'}) SET e.excluded = true")
    _, rows = explore(graph, "explore/highest_loss_relations", limit=3)
    assert "Tricyclazole" not in {r[0]["name"] for r in rows}
    _, none = explore(graph, "explore/highest_loss_relations", limit=3, model="another-model")
    assert none == []


def test_most_mentioned_entities(graph: Graph, example: dict[str, Any]) -> None:
    columns, rows = explore(graph, "explore/most_mentioned_entities", limit=4)
    assert columns[:3] == ["name", "type", "mentions"]
    assert [r[2] for r in rows] == [2, 2, 2, 2]
    assert {r[0] for r in rows} == {"稻瘟病", "稻瘟", "水稻", "rice blast"}
    _, genes = explore(graph, "explore/most_mentioned_entities", type="GENE")
    assert {r[0] for r in genes} == {"Pi-ta", "AVR-Pita", "Pi9", "Pi2"}


def test_chunk_output_by_id_or_by_document_and_index(graph: Graph, example: dict[str, Any]) -> None:
    columns, rows = explore(graph, "explore/chunk_output", source_key="examples/rice_blast.en.txt", index=0)
    by_entity: dict[str, set[str]] = {}
    for row in rows:
        record = dict(zip(columns, row))
        by_entity.setdefault(record["entity_name"], set())
        if record["relation_description"]:
            by_entity[record["entity_name"]].add(record["relation_description"])
    expected_entities = {"rice blast", "Magnaporthe oryzae", "Pi-ta", "AVR-Pita"}
    assert set(by_entity) == expected_entities
    from_chunk = {s[2] for s in RELATIONS if s[4] == ("en", 0)}
    assert set().union(*by_entity.values()) == from_chunk
    _, same = explore(graph, "explore/chunk_output", chunk_id=example["chunks"]["en0"])
    assert len(same) == len(rows)
    with pytest.raises(GraphGenError, match="expected one chunk"):
        explore(graph, "explore/chunk_output", source_key="nowhere", index=0)


def test_qa_for_entity_flags_stale_qa(graph: Graph, example: dict[str, Any]) -> None:
    columns, rows = explore(graph, "explore/qa_for_entity", entity="水稻")
    assert [r[columns.index("question")] for r in rows] == ["稻瘟与水稻有什么关系？"]
    graph.query("MATCH (q:QA) SET q.stale = true, q.stale_reasons = ['test']")
    _, rows = explore(graph, "explore/qa_for_entity", entity="水稻")
    assert rows[0][columns.index("stale")] is True and rows[0][columns.index("stale_reasons")] == ["test"]


def test_uncovered_relations_leave_out_covered_excluded_and_stale(graph: Graph, example: dict[str, Any]) -> None:
    columns, rows = explore(graph, "explore/uncovered_relations", limit=50)
    covered = {"Tricyclazole->rice blast", "三环唑->稻瘟病", "稻瘟病菌->稻瘟病", "稻瘟->水稻", "Pi-ta->AVR-Pita",
               "AVR-Pita->Magnaporthe oryzae"}
    expected = {f"{s}->{t}" for s, t, _, _, _, extra in RELATIONS if not extra.get("excluded")} - covered
    assert {f"{r[0]}->{r[2]}" for r in rows} == expected
    losses = [r[3] for r in rows if r[3] is not None]
    assert losses == sorted(losses, reverse=True)
    graph.query("MATCH (q:QA {question: 'What does tricyclazole control?'}) SET q.stale = true")
    _, rows = explore(graph, "explore/uncovered_relations", limit=50)
    assert "Tricyclazole" in {r[0] for r in rows}


def test_filtered_qa_lists_what_filter_excluded_with_the_reasons(graph: Graph, example: dict[str, Any]) -> None:
    columns, rows = explore(graph, "explore/filtered_qa")
    assert [r[columns.index("question")] for r in rows] == ["Which fungus secretes the effector that Pi-ta recognizes?"]
    assert rows[0][columns.index("reasons")] == ["faithfulness 0.25 < 0.5"] and rows[0][columns.index("judge")] == "judge-example"
    assert explore(graph, "explore/filtered_qa", reason="near duplicate")[1] == []
    graph.query("MATCH (q:QA) REMOVE q.filtered")  # what filter --reset does
    assert explore(graph, "explore/filtered_qa")[1] == []


def test_run_batches_latest_or_named(graph: Graph, example: dict[str, Any]) -> None:
    columns, rows = explore(graph, "explore/run_batches")
    records = [dict(zip(columns, r)) for r in rows]
    assert [r["index"] for r in records] == [0, 1]
    assert all(r["run_id"] == example["runs"]["partition"] and r["qa"] == 2 and r["stale_qa"] == 0 for r in records)
    assert records[0]["seed"] == "AVR-Pita -> Magnaporthe oryzae"
    _, none = explore(graph, "explore/run_batches", run_id="no-such-run")
    assert none == []


def test_find_entity_by_part_of_a_name_or_alias(graph: Graph, example: dict[str, Any]) -> None:
    _, rows = explore(graph, "explore/find_entity", text="稻瘟")
    assert {"稻瘟", "稻瘟病", "稻瘟病菌"} <= {r[0] for r in rows}
    _, rows = explore(graph, "explore/find_entity", text="Pyricularia")
    assert {r[0] for r in rows} >= {"Magnaporthe oryzae", "Pyricularia grisea"}


def test_same_as_queue_and_curation_log(graph: Graph, example: dict[str, Any]) -> None:
    graph.query(
        "MATCH (a:Entity {name: '稻瘟'}), (k:Entity {name: '稻瘟病'}) "
        "CREATE (a)-[:SAME_AS {score: 0.77, method: 'containment', status: 'proposed'}]->(k)"
    )
    columns, rows = explore(graph, "explore/same_as_queue")
    assert [(r[3], r[4], r[5]) for r in rows] == [("稻瘟", "稻瘟病", 0.77)]
    assert explore(graph, "explore/same_as_queue", status="rejected")[1] == []
    _, log = explore(graph, "explore/curation_log")
    assert [tuple(r[:3]) for r in log] == [("relation", "rice blast -> Pi-ta", "excluded")]


def test_batch_draws_exactly_its_relations(graph: Graph, example: dict[str, Any]) -> None:
    batches = graph.query("MATCH (b:Batch) RETURN b.id AS id, b.relation_ids AS relations, b.mean_loss AS loss "
                          "ORDER BY b.mean_loss DESC")
    # the example links every batch to all its entities (the old model): only the relations count
    for batch in batches:
        columns, rows = explore(graph, "explore/batch", batch_id=batch["id"])
        assert columns[:3] == ["source", "relation", "target"]
        assert sorted(r[1]["id"] for r in rows) == sorted(batch["relations"])
        assert {r[columns.index("batch")] for r in rows} == {batch["id"]}
        for row in rows:
            spec = next(s for s in RELATIONS if s[:2] == (row[0]["name"], row[2]["name"]))
            assert row[1].type == band(spec[3], spec[5].get("excluded", False))
    _, default = explore(graph, "explore/batch")
    assert {r[1]["id"] for r in default} == set(batches[0]["relations"])  # the highest mean loss

    graph.query("MATCH (e:Entity {name: 'Pi2'}) CREATE (:Batch {id: 'batch-lone', run_id: 'p-2', index: 0, "
                "relation_ids: [], entity_ids: [e.id]})-[:HAS_ENTITY]->(e)")
    _, lone = explore(graph, "explore/batch", batch_id="batch-lone")
    assert len(lone) == 1 and lone[0][0]["name"] == "Pi2" and lone[0][1] is None and lone[0][2] is None


def test_qa_provenance_goes_down_to_the_chunk_text(graph: Graph, example: dict[str, Any]) -> None:
    qa = graph.query("MATCH (q:QA) WHERE size(q.relation_ids) = 2 RETURN q.id AS id, q.relation_ids AS relations, "
                     "q.chunk_ids AS chunks, q.question AS question LIMIT 1")[0]
    columns, rows = explore(graph, "explore/qa_provenance", qa_id=qa["id"])
    assert columns == ["source", "relation", "target", "link", "text"]
    links = [dict(zip(columns, r)) for r in rows]
    about = [r for r in links if r["link"] == "ABOUT"]
    assert about and all(r["source"]["id"] == qa["id"] and qa["question"] in r["text"] for r in about)
    drawn = [r for r in links if r["link"].startswith(("LOSS_", "UNJUDGED", "EXCLUDED"))]
    assert sorted(r["relation"]["id"] for r in drawn) == sorted(qa["relations"])
    texts = {c["id"]: c["text"] for c in graph.query("MATCH (c:Chunk) RETURN c.id AS id, c.text AS text")}
    has_chunk = [r for r in links if r["link"] == "HAS_CHUNK"]
    assert sorted(r["target"]["id"] for r in has_chunk) == sorted(qa["chunks"])
    assert all(r["text"] == texts[r["target"]["id"]] and "Document" in r["source"].labels for r in has_chunk)
    assert any(r["link"] == "MENTIONS" for r in links)
    _, default = explore(graph, "explore/qa_provenance")  # the fresh QA with the highest loss
    top = graph.query("MATCH (q:QA) WHERE NOT q.stale RETURN q.id AS id ORDER BY q.loss DESC, q.id LIMIT 1")[0]["id"]
    assert {r[0]["id"] for r in default if r[3] == "ABOUT"} == {top}


EXPLORE = [q for q in __import__("graphgen_neo4j.analyst.curation", fromlist=["x"]).library_queries()
           if q.name.startswith("explore/")]


@pytest.mark.parametrize("source", EXPLORE, ids=lambda q: q.name)
def test_every_explore_query_run_unchanged_shows_something(graph: Graph, example: dict[str, Any], source) -> None:
    """The file's own :param values (null: picked from the graph) give rows on any graph that has data."""
    if source.name == "explore/same_as_queue":
        graph.query("MATCH (a:Entity {name: '稻瘟'}), (k:Entity {name: '稻瘟病'}) "
                    "CREATE (a)-[:SAME_AS {score: 0.77, method: 'containment', status: 'proposed'}]->(k)")
    result = run_query(graph, source, source.examples)[0]
    assert result.rows, f"{source.name} run as written returns nothing"


def test_find_entity_escapes_lucene_syntax(graph: Graph, example: dict[str, Any]) -> None:
    # Each of these is a ParseException when handed to Lucene as a query.
    for text in ("稻瘟 AND", "rice }", "a/b", "Pi-ta:", "OR", '"unclosed', "(", "NOT", "\\", "x && y ||"):
        explore(graph, "explore/find_entity", text=text)
    _, rows = explore(graph, "explore/find_entity", text="Pyricularia AND grisea}")
    assert "Magnaporthe oryzae" in {r[0] for r in rows}
