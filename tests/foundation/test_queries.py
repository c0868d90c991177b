"""The Cypher files load, from a checkout and from the installed package."""

from __future__ import annotations

from graphgen_neo4j.db import queries
from graphgen_neo4j.db.graph import Graph


def test_browser_param_lines_are_dropped() -> None:
    text = ":param name => 'rice'\n// comment\nMATCH (e:Entity {name: $name}) RETURN e"
    assert queries.split_statements(queries.strip_browser_commands(text)) == [
        "// comment\nMATCH (e:Entity {name: $name}) RETURN e"
    ]


def test_statements_split_at_line_ending_semicolons() -> None:
    text = "CREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x);\n// only a comment;\nRETURN 'a;b' AS s;\n"
    assert queries.split_statements(text) == [
        "CREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x)",
        "RETURN 'a;b' AS s",
    ]


def test_schema_file_holds_constraints_and_fulltext_index() -> None:
    statements = queries.load_statements("schema")
    assert any("FULLTEXT INDEX entity_names" in s and "'cjk'" in s for s in statements)
    assert any("REQUIRE a.key IS UNIQUE" in s for s in statements)


def test_init_schema_is_idempotent(graph: Graph) -> None:
    def schema_names() -> list[str]:
        return sorted(r["name"] for r in graph.query("SHOW INDEXES YIELD name RETURN name"))

    graph.init_schema()
    before = schema_names()
    graph.init_schema()
    assert schema_names() == before
    constraints = {r["name"] for r in graph.query("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {"document_id", "chunk_id", "entity_id", "alias_key", "related_id"} <= constraints
    assert "entity_names" in before and "related_loss" in before


def test_fulltext_index_finds_chinese_and_english_names(graph: Graph) -> None:
    graph.query(
        "CREATE (:Entity {id: 'e1', name: '刘备', aliases: ['刘玄德']}),"
        "       (:Entity {id: 'e2', name: 'Rice blast', aliases: ['Magnaporthe oryzae']})"
    )
    graph.query("CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()")

    def search(term: str) -> list[str]:
        rows = graph.query(
            "CALL db.index.fulltext.queryNodes('entity_names', $q) YIELD node RETURN node.id AS id",
            {"q": term},
        )
        return [r["id"] for r in rows]

    assert search("玄德") == ["e1"]
    assert search("blast") == ["e2"]
    assert search("oryzae") == ["e2"]
