"""``graphgen-neo4j quiz`` / ``judge`` end to end: Neo4j, the scripted server, the final tables."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app

from .conftest import RELATIONS


@pytest.fixture
def scripted_llm(server):
    return server  # the root cli_env points the endpoints at this module's server


@pytest.fixture
def cli_env(cli_env, monkeypatch):
    monkeypatch.setenv("SYNTHESIZER_MODEL", "scripted-synth")
    monkeypatch.setenv("TRAINEE_MODEL", "trainee-cli")
    return monkeypatch


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_quiz_then_judge_print_their_tables(graph, sample_graph, server, cli_env) -> None:
    quizzed = invoke("quiz", "--quiz-samples", "2")
    assert quizzed.exit_code == 0, quizzed.output
    assert "quizzed relations" in quizzed.output and "token ledger" in quizzed.output
    assert server.count(task="quiz") == len(RELATIONS)
    judged = invoke("judge")
    assert judged.exit_code == 0, judged.output
    out = judged.output
    for expected in ("judge — trainee trainee-cli", "judged relations", "loss histogram",
                     f"{len(RELATIONS)} highest-loss relations", "token ledger", "LLM calls per judged item"):
        assert expected in out
    assert server.count(task="judge") == 4 * len(RELATIONS)
    runs = graph.query("MATCH (r:Run) RETURN r.command AS command, r.status AS status ORDER BY r.started_at")
    assert [(r["command"], r["status"]) for r in runs] == [("quiz", "completed"), ("judge", "completed")]


def test_json_reports_calls_per_item(graph, sample_graph, server, cli_env) -> None:
    quizzed = json.loads(invoke("quiz", "--json", "--no-cache").output)
    assert quizzed["quizzed"] == {"relation": len(RELATIONS)} and quizzed["calls_per_item"] == 1.0
    judged = json.loads(invoke("judge", "--json").output)
    assert judged["judged"] == {"relation": len(RELATIONS)} and judged["calls_per_item"] == 4.0
    assert judged["summary"]["judged"] == len(RELATIONS) and len(judged["summary"]["bins"]) == 10
    assert judged["ledger"]["totals"]["calls"] == 4 * len(RELATIONS)
    again = json.loads(invoke("judge", "--json").output)
    assert again["up_to_date"] == len(RELATIONS) and again["llm_calls"] == 0


def test_judge_without_a_trainee_says_so(graph, sample_graph, server, cli_env) -> None:
    cli_env.delenv("TRAINEE_BASE_URL")
    cli_env.delenv("TRAINEE_MODEL")
    invoke("quiz")
    result = invoke("judge")
    assert result.exit_code == 0
    assert "nothing judged: no trainee model configured" in result.output
    assert graph.query("MATCH ()-[r:RELATED]->() WHERE r.loss IS NOT NULL RETURN count(r) AS n")[0]["n"] == 0
    skipped = invoke("judge", "--skip-judge")
    assert "judging was skipped" in skipped.output


def test_judge_without_logprobs_fails_with_one_line(graph, sample_graph, server, cli_env) -> None:
    invoke("quiz")
    server.inject("no_logprobs", times=None, task="judge")
    result = invoke("judge")
    assert result.exit_code == 1
    assert "returns no logprobs" in result.output and "judging skipped" in result.output
    status = graph.query("MATCH (r:Run {command: 'judge'}) RETURN r.status AS status")[0]["status"]
    assert status == "failed"


def test_bad_loss_strategy_is_a_usage_error(cli_env) -> None:
    result = CliRunner().invoke(app, ["judge", "--loss-strategy", "nodes"])
    assert result.exit_code == 2
