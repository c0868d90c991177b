"""`graphgen-neo4j init` applies the schema, twice without change."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.db.graph import Graph


def test_init_creates_constraints_and_is_idempotent(graph: Graph, neo4j_settings, monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password.get_secret_value())
    runner = CliRunner()
    first = runner.invoke(app, ["init", "--json"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["init", "--json"])
    assert json.loads(first.output) == json.loads(second.output)
    assert "entity_id" in json.loads(first.output)["constraints"]


def test_init_against_unreachable_neo4j_says_how_to_start_one(monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 1
    assert "cannot reach Neo4j at bolt://127.0.0.1:1" in result.output
    assert "graphgen-neo4j neo4j start" in result.output


def test_init_with_wrong_password_names_the_variable(neo4j_settings, monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", "definitely-wrong-pw")
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 1
    assert "NEO4J_PASSWORD" in result.output
