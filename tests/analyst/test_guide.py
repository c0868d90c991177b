"""The Browser guide (``graphgen-neo4j guide``): one runnable block per library query, its
parameters written in as literals from the user's graph, served with CORS for Browser only."""

from __future__ import annotations

import html
import re
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from neo4j import exceptions as neo4j_errors

from graphgen_neo4j.analyst.curation import library_queries, load_query, run_query
from graphgen_neo4j.analyst.guide import (
    GUIDE_PATH,
    GuideServer,
    browser_origins,
    cypher_literal,
    fill_parameters,
    guide_html,
    query_values,
    read_picks,
)
from graphgen_neo4j.db import queries
from graphgen_neo4j.db.graph import Graph

LIBRARY = library_queries()
STYLE = "node {\n  caption: '{name}';\n}\n"


def blocks(page: str) -> dict[str, str]:
    """What Browser runs for each block: the text of ``<pre class="runnable">``, tags dropped."""
    found = re.findall(r'<pre class="runnable" data-query="([^"]+)">(.*?)</pre>', page, re.DOTALL)
    return {name: html.unescape(re.sub(r"<[^>]+>", "", body)).strip() for name, body in found}


@pytest.mark.parametrize(("value", "literal"), [
    (None, "null"), (True, "true"), (3, "3"), (0.5, "0.5"), ("稻瘟病", "'稻瘟病'"),
    ("it's a \\ b", "'it\\'s a \\\\ b'"), (["a", 1], "['a', 1]"),
])
def test_values_are_written_as_cypher_literals(value: Any, literal: str) -> None:
    assert cypher_literal(value) == literal


def test_only_parameters_are_replaced_not_strings_or_comments() -> None:
    statement = "MATCH (e {name: $name}) // not $this\nRETURN '$nor_this', e.x < $limit"
    filled = fill_parameters(statement, {"name": "'Pi-ta'", "limit": "5"}, "q")
    assert html.unescape(re.sub(r"<[^>]+>", "", filled)) == \
        "MATCH (e {name: 'Pi-ta'}) // not $this\nRETURN '$nor_this', e.x < 5"
    assert '<span value-key="q-name">' in filled and "&lt;" in filled


def test_every_library_query_is_one_block_without_parameters() -> None:
    page = guide_html(LIBRARY, style=STYLE, picks={"entity": "稻瘟病", "keep": "稻瘟病", "absorb": "稻瘟"})
    found = blocks(page)
    assert set(found) == {"style"} | {q.name for q in LIBRARY}
    assert found["style"] == ":style " + STYLE.strip()
    for name, text in found.items():
        if name != "style":
            assert not re.search(r"\$[A-Za-z_]", re.sub(r"'(?:\\.|[^'\\])*'|//[^\n]*", "", text)), name
            assert len(queries.split_statements(text)) == 1, f"{name}: one statement"
            assert not text.endswith(" null"), f"{name}: Browser ignores a block ending in ' null'"
    assert "'稻瘟病'" in found["curate/merge_entities"] and "'稻瘟'" in found["curate/merge_entities"]
    # an input box per parameter, holding the same literal as the block
    assert re.search(r'value-for="curate-merge-entities-absorb" class="form-control" value="&#x27;稻瘟&#x27;"', page)


def test_explore_values_are_the_files_curate_values_the_picks() -> None:
    assert query_values(load_query("explore/neighbourhood"), {"entity": "x"}) == {
        "entity": "null", "hops": "2", "limit": "100"}
    picks = {"entity": "稻瘟病", "fix_entity_description.description": "新的描述", "description": "other"}
    assert query_values(load_query("curate/fix_entity_description"), picks) == {
        "entity": "'稻瘟病'", "description": "'新的描述'"}
    assert query_values(load_query("curate/exclude_entity"), {})["excluded"] == "true"


def test_every_block_runs_as_it_stands_on_the_example_graph(graph: Graph, example: dict[str, Any]) -> None:
    """Explore blocks show rows; curate blocks run or stop on their own check (never a missing
    parameter or a syntax error): the blocks are whole statements."""
    page = guide_html(LIBRARY, style=STYLE, picks=read_picks(graph))
    for name, text in sorted(blocks(page).items()):
        if name == "style":
            continue
        if name.startswith("explore/"):
            rows = graph.query(text, write=False)
            if name != "explore/same_as_queue":  # empty until `resolve` proposed pairs
                assert rows, f"{name} shows nothing"
            assert len(rows) == len(run_query(graph, load_query(name), load_query(name).examples)[0].rows)
            continue
        try:
            graph.query(text)
        except neo4j_errors.ClientError as exc:
            assert "ParameterMissing" not in str(exc.code) and "SyntaxError" not in str(exc.code), (name, exc)
        except Exception as exc:  # the queries' own checks (apoc.util.validate) come as GraphGenError
            assert "expected" in str(exc).lower() or "not found" in str(exc).lower() or "no " in str(exc).lower(), (name, exc)


def test_picks_are_real_items_and_merging_is_never_guessed(graph: Graph, example: dict[str, Any]) -> None:
    picks = read_picks(graph)
    names = {r["name"] for r in graph.query("MATCH (e:Entity) RETURN e.name AS name")}
    assert picks["entity"] in names and picks["source"] in names and picks["target"] in names
    assert picks["remove_alias.alias"] in graph.query(
        "MATCH (e:Entity {name: $n}) RETURN e.aliases AS a",
        {"n": picks["remove_alias.entity"]},
)[0]["a"]
    assert picks["keep"] is None and picks["absorb"] is None  # no SAME_AS proposal yet
    graph.query("MATCH (a:Entity {name: '稻瘟'}), (k:Entity {name: '稻瘟病'}) "
                "CREATE (a)-[:SAME_AS {score: 0.8, method: 'containment', status: 'proposed'}]->(k)")
    picks = read_picks(graph)
    assert (picks["keep"], picks["absorb"]) == ("稻瘟病", "稻瘟")


def test_the_server_answers_the_browser_origin_only(tmp_path) -> None:
    calls = []

    def page() -> str:
        calls.append(1)
        return "<article class=\"guide\">稻瘟病</article>"

    server = GuideServer(page, port=0, allow_origins=browser_origins(7474))
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        def get(origin: str, method: str = "GET", path: str = GUIDE_PATH):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, headers={"Origin": origin})
            with urllib.request.urlopen(request, timeout=5) as reply:
                return reply.status, reply.headers.get("Access-Control-Allow-Origin"), reply.read().decode()

        assert get("http://localhost:7474") == (200, "http://localhost:7474", "<article class=\"guide\">稻瘟病</article>")
        assert get("http://evil.example")[1] is None
        assert get("http://127.0.0.1:7474", method="OPTIONS")[:2] == (204, "http://127.0.0.1:7474")
        assert len(calls) == 2  # built per request: the values follow the graph
        with pytest.raises(urllib.error.HTTPError, match="404"):
            get("http://localhost:7474", path="/other")
    finally:
        server.shutdown()
        server.server_close()
