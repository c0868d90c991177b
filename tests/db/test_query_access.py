"""Which queries write (``db/access.py``) — read off the text, checked against the server's own
judgement — and every read-routed call site names a query that does not write."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from neo4j import RoutingControl

from graphgen_neo4j.db import access, queries
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError

PACKAGE = Path(__file__).resolve().parents[2] / "graphgen_neo4j"


def query_files() -> list[str]:
    root = queries.cypher_dir()
    return sorted(str(p.relative_to(root))[: -len(".cypher")] for p in root.rglob("*.cypher"))


@pytest.mark.parametrize(("cypher", "expected"), [
    ("MATCH (e:Entity) RETURN e.name", False),
    ("MATCH (e:Entity) SET e.seen = true", True),
    ("MERGE (e:Entity {id: $id}) ON CREATE SET e.name = $name", True),
    ("MATCH (e) DETACH DELETE e", True),
    ("MATCH (e) REMOVE e.loss", True),
    ("UNWIND $rows AS r CALL { WITH r CREATE (:X) } IN TRANSACTIONS", True),
    ("CREATE INDEX x IF NOT EXISTS FOR (n:X) ON (n.a)", True),
    ("DROP INDEX x IF EXISTS", True),
    ("LOAD CSV FROM 'file:///x' AS row RETURN row", True),
    # a write word inside a string, a comment, a property name or a function name is no write
    ("MATCH (e) WHERE e.note = 'DELETE me; SET x' RETURN e // CREATE later", False),
    ("MATCH (e) RETURN e.created, e.set, e.merged_from", False),
    ("MATCH (a)-[r]->(b) RETURN apoc.create.vNode(['E'], {}) AS v, apoc.coll.toSet([1]) AS s", False),
    ("/* MERGE */ MATCH (e) RETURN `SET`.x", False),
    # procedures: read-only ones are reads, any other one is a write (the leader is always right)
    ("CALL db.index.fulltext.queryNodes('entity_names', $q) YIELD node RETURN node", False),
    ("CALL apoc.util.validate(false, 'x', []) RETURN 1", False),
    ("CALL db.awaitIndex('entity_embedding', 300)", True),
    ("CALL apoc.refactor.mergeNodes([a, b], {}) YIELD node RETURN node", True),
    ("CALL some.unknown.proc()", True),
])
def test_write_clauses_are_found_where_they_are_code(cypher: str, expected: bool) -> None:
    assert access.writes(cypher) is expected, access.write_clauses(cypher)


def test_procedures_and_functions_are_told_apart_from_property_access() -> None:
    cypher = ("MATCH (e:Entity) WHERE e.name = $n CALL db.index.vector.queryNodes('i', 3, e.embedding) YIELD node "
              "RETURN apoc.text.join(e.aliases, '|'), duration.inSeconds(e.t, e.u).seconds, 'apoc.fake.fn(1)'")
    assert access.procedures(cypher) == {"db.index.vector.queryNodes"}
    assert access.functions(cypher) == {"apoc.text.join", "duration.inSeconds"}


def _read_call_sites() -> list[tuple[str, str]]:
    """(file:line, query) of every ``.read("…")``, ``.read_row("…")`` and ``.run("…", write=False)`` in the package."""
    sites = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)
                    and (queries.cypher_dir() / f"{first.value}.cypher").is_file()):
                continue
            as_read = node.func.attr in ("read", "read_row") or (
                node.func.attr == "run" and any(k.arg == "write" and isinstance(k.value, ast.Constant)
                                                and k.value.value is False for k in node.keywords))
            if as_read:
                sites.append((f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", first.value))
    return sites


def test_every_read_routed_query_of_the_package_contains_no_write_clause() -> None:
    sites = _read_call_sites()
    assert len(sites) > 30  # the scan finds the package's reads (it is not vacuous)
    writing = [(where, name, sorted({c for s in queries.load_statements(name) for c in access.write_clauses(s)}))
               for where, name in sites if queries.writes(name)]
    assert writing == []


def test_a_read_of_a_file_that_writes_is_refused_before_it_reaches_the_server() -> None:
    class NoDriver:
        def execute_query(self, *args, **kwargs):  # pragma: no cover — must not be reached
            raise AssertionError("reached the driver")

    graph = Graph(NoDriver())  # type: ignore[arg-type]
    with pytest.raises(GraphGenError, match=r"runs/finish\.cypher writes \(SET\)"):
        graph.read("runs/finish", {})
    with pytest.raises(GraphGenError, match="read_row"):
        graph.read_row("lock/release", {})
    with pytest.raises(GraphGenError, match="inline query writes"):
        graph.query("MATCH (n) DELETE n", write=False)


def test_the_server_agrees_with_the_classification_of_every_query_file(graph: Graph) -> None:
    """EXPLAIN each statement (nothing runs): the server's query type ('r', 'w', 'rw', 's' for
    schema) must be 'r' for every statement we route to readers, and every statement the server
    calls a write must be one we route to the leader."""
    disagreements, explained = [], 0
    for name in query_files():
        for statement in queries.load_statements(name):
            if statement.lstrip().upper().startswith("SHOW"):
                assert not access.writes(statement), name  # SHOW commands only read (no EXPLAIN for them)
                continue
            result = graph.driver.execute_query(f"EXPLAIN {statement}", database_=graph.database,
                                                routing_=RoutingControl.READ)
            server_type = result.summary.query_type
            explained += 1
            ours = access.writes(statement)
            if (server_type == "r") is ours and not (ours and access.procedures(statement) - access.READ_PROCEDURES):
                disagreements.append((name, server_type, access.write_clauses(statement)))
    assert explained > 100
    assert disagreements == []
