"""``graphgen-neo4j cypher`` and ``graphgen-neo4j resolve`` as a user runs them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import _app as cli_app
from graphgen_neo4j.cli import app
from graphgen_neo4j.db.graph import Graph


@pytest.fixture
def cli_env(monkeypatch, tmp_path, neo4j_settings):
    monkeypatch.chdir(tmp_path)  # the response cache goes to ./.graphgen
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_settings.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password.get_secret_value())
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(cli_app.console, "_width", 200)  # made at import, before COLUMNS was set
    monkeypatch.delenv("GRAPHGEN_RAISE_ERRORS", raising=False)
    for name in ("SYNTHESIZER_BASE_URL", "SYNTHESIZER_MODEL", "SYNTHESIZER_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_cypher_prints_a_library_query_as_a_table(graph: Graph, example: dict[str, Any], cli_env) -> None:
    result = invoke("cypher", "explore/most_mentioned_entities", "-p", "limit=3", "--param", "type=GENE")
    assert result.exit_code == 0, result.output
    assert "┃ name" in result.output and "Pi-ta" in result.output and "3 rows" in result.output
    assert "type=\"GENE\", limit=3" in result.output  # what it ran with

    result = invoke("cypher", "highest_loss_relations", "-p", "limit=2")
    assert "│ Tricyclazole │ rice blast  │ 2.9  │" in result.output
    assert "graph columns for Browser not shown: source, relation, target" in result.output

    # with only graph values, those are shown: a node by its name, a relationship as an arrow
    own = _write(cli_env / "arrows.cypher", "MATCH (s:Entity {name: $name})-[r:RELATED]->(t) RETURN s, r, t")
    result = invoke("cypher", str(own), "-p", "name=Tricyclazole")
    assert "Tricyclazole -[RELATED 2.90]-> rice blast" in result.output


def test_cypher_json_and_a_users_own_file(graph: Graph, example: dict[str, Any], cli_env) -> None:
    own = cli_env / "blind_spots.cypher"
    own.write_text(
        "// My blind spots.\n:param floor => 2.0\n"
        "MATCH (s)-[r:RELATED]->(t) WHERE r.loss >= $floor RETURN s.name AS source, r.loss AS loss ORDER BY loss DESC;\n"
        "MATCH (e:Entity {name: $name}) SET e.reviewed = true RETURN e.name AS reviewed\n",
        encoding="utf-8",
    )
    result = invoke("cypher", str(own), "-p", "name=Pi9", "--json")
    assert result.exit_code == 0, result.output
    first, second = json.loads(result.output)
    assert first["rows"] == [{"source": "Tricyclazole", "loss": 2.9}, {"source": "三环唑", "loss": 2.4}]
    assert second["rows"] == [{"reviewed": "Pi9"}] and second["counters"] == {"properties_set": 1}


def test_cypher_curates_and_reports_changes(graph: Graph, example: dict[str, Any], cli_env) -> None:
    result = invoke("cypher", "curate/merge_entities", "-p", "keep=稻瘟病", "-p", "absorb=稻瘟")
    assert result.exit_code == 0, result.output
    assert "relationships deleted 7" in result.output and "absorbed_name" in result.output
    assert graph.query("MATCH (e:Entity {name: '稻瘟'}) RETURN e") == []

    result = invoke("cypher", "curate/add_alias", "-p", "entity=稻瘟病", "-p", "alias=Straße")
    assert result.exit_code == 0 and "strasse" in result.output  # the exact key, derived in Python


def test_cypher_errors_are_one_line_with_the_right_exit_code(graph: Graph, example: dict[str, Any], cli_env) -> None:
    failed = invoke("cypher", "curate/merge_entities", "-p", "keep=稻瘟病", "-p", "absorb=nothing")
    assert failed.exit_code == 1
    assert "absorb: expected one entity with id or name nothing, found 0" in failed.output
    assert "Traceback" not in failed.output and "apoc" not in failed.output

    unused = invoke("cypher", "explore/neighbourhood", "-p", "entty=Pi9")
    assert unused.exit_code == 2 and "entty not used" in unused.output
    assert invoke("cypher", "no_such_query").exit_code == 1
    assert invoke("cypher").exit_code == 2
    syntax = invoke("cypher", str(_write(cli_env / "bad.cypher", "MATCH (n RETURN n")))
    assert syntax.exit_code == 1 and "bad.cypher" in syntax.output


def test_cypher_list(cli_env) -> None:
    result = invoke("cypher", "--list", "--json")
    listed = {q["name"]: q for q in json.loads(result.output)}
    assert listed["curate/merge_entities"]["parameters"] == ["keep", "absorb"]
    assert listed["explore/neighbourhood"]["summary"].startswith("An entity and the entities")


def test_resolve_then_apply(graph: Graph, example: dict[str, Any], cli_env) -> None:
    result = invoke("resolve", "--no-llm")
    assert result.exit_code == 0, result.output
    assert "newly proposed" in result.output and "explore/same_as_queue" in result.output
    proposed = graph.query("MATCH ()-[s:SAME_AS {status: 'proposed'}]->() RETURN count(s) AS n")[0]["n"]
    assert proposed >= 4

    nothing = invoke("resolve", "--apply")
    assert nothing.exit_code == 0 and "no accepted pair to merge" in nothing.output

    accept = invoke("cypher", "curate/review_same_as", "-p", "keep=稻瘟病", "-p", "absorb=稻瘟", "-p", "status=accepted")
    assert accept.exit_code == 0, accept.output
    applied = invoke("resolve", "--apply", "--json")
    report = json.loads(applied.output)
    assert [(m["absorbed_name"], m["kept_name"]) for m in report["merged"]] == [("稻瘟", "稻瘟病")]
    run = graph.query("MATCH (r:Run {command: 'resolve'}) RETURN r.status AS status ORDER BY r.started_at")
    assert [r["status"] for r in run] == ["completed"] * 3


def test_resolve_shows_each_proposal_with_its_signals_and_evidence_and_auto_accepts(graph: Graph, example: dict[str, Any], cli_env) -> None:
    result = invoke("resolve", "--no-llm")
    assert result.exit_code == 0, result.output
    assert "absorbed → kept" in result.output and "signals" in result.output and "evidence" in result.output
    assert "三环唑 → Tricyclazole" in result.output and "same (parentheses)" in result.output
    assert "embeddings" in result.output and "EMBEDDING_BASE_URL" in result.output  # skipped, and why
    merged = json.loads(invoke("resolve", "--no-llm", "--auto-accept-above", "0.96", "--json").output)["merged"]
    assert sorted(m["absorbed_name"] for m in merged) == ["三环唑", "稻瘟病"]


def test_resolve_without_a_synthesizer_says_the_llm_pairs_were_skipped(graph: Graph, example: dict[str, Any], cli_env) -> None:
    result = invoke("resolve", "--method", "llm")
    assert result.exit_code == 0, result.output
    assert "llm adjudication skipped" in result.output and "SYNTHESIZER_" in result.output
    assert invoke("resolve", "--method", "magic").exit_code == 2


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path
