"""`graphgen-neo4j doctor` names each failure mode and what to do about it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app


@pytest.fixture
def scripted(scripted_llm):
    return scripted_llm


@pytest.fixture
def env(cli_env):
    return cli_env


def doctor(*args: str) -> tuple[int, dict[tuple[str, str], dict]]:
    result = CliRunner().invoke(app, ["doctor", "--json", *args])
    checks = {(c["area"], c["name"]): c for c in json.loads(result.stdout)}
    return result.exit_code, checks


def test_all_ok_against_scripted_server_says_replies_are_canned(env, graph) -> None:
    code, checks = doctor()
    assert code == 0
    assert checks[("neo4j", "schema")]["status"] == "OK"
    assert checks[("trainee", "logprobs")]["status"] == "OK"
    assert checks[("synthesizer", "canned")]["status"] == "WARN"


def test_wrong_password(env, graph, monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "not-the-password")
    code, checks = doctor()
    assert code == 1
    failure = checks[("neo4j", "connection")]
    assert failure["status"] == "FAIL" and "NEO4J_PASSWORD" in failure["detail"]


def test_missing_schema_says_run_init(env, graph) -> None:
    graph.query("DROP INDEX related_loss")
    try:
        code, checks = doctor()
        assert code == 1
        assert "related_loss" in checks[("neo4j", "schema")]["detail"]
        assert "graphgen-neo4j init" in checks[("neo4j", "schema")]["fix"]
    finally:
        graph.init_schema()


def test_unreachable_llm(env, graph, monkeypatch) -> None:
    monkeypatch.setenv("SYNTHESIZER_BASE_URL", "http://127.0.0.1:1/v1")
    code, checks = doctor()
    assert code == 1
    failure = checks[("synthesizer", "reachable")]
    assert failure["status"] == "FAIL" and "SYNTHESIZER_BASE_URL" in failure["fix"]


def test_rejected_key(env, graph, scripted, monkeypatch) -> None:
    scripted.api_key = "right-key"
    monkeypatch.setenv("TRAINEE_API_KEY", "right-key")
    code, checks = doctor()
    assert code == 1
    # /models may or may not check the key (OpenAI does, vLLM does not): one of the checks fails on it
    failures = [c for c in checks.values() if c["status"] == "FAIL"]
    assert failures and all(c["area"] == "synthesizer" for c in failures)
    assert any("SYNTHESIZER_API_KEY" in c["detail"] + c["fix"] for c in failures)


def test_trainee_without_logprobs(env, graph, scripted) -> None:
    scripted.inject("no_logprobs", times=None, task="judge")
    code, checks = doctor()
    assert code == 1
    failure = checks[("trainee", "logprobs")]
    assert failure["status"] == "FAIL" and "returns no logprobs" in failure["detail"]


def test_no_trainee_is_a_warning_not_a_failure(env, graph, monkeypatch) -> None:
    monkeypatch.delenv("TRAINEE_BASE_URL")
    monkeypatch.delenv("TRAINEE_MODEL")
    code, checks = doctor()
    assert code == 0
    assert checks[("trainee", "configured")]["status"] == "WARN"


def test_bad_config_is_named(env, graph, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("input_file: x.jsonl\ntraverse_strategy:\n  edge_sampling: biggest\n", encoding="utf-8")
    code, checks = doctor("--config", str(path))
    assert code == 1
    detail = checks[("config", str(path))]["detail"]
    assert "traverse_strategy.edge_sampling" in detail and "'biggest'" in detail and "max_loss" in detail


def test_structured_output_supported(env, graph) -> None:
    code, checks = doctor()
    assert code == 0
    for role in ("synthesizer", "trainee"):
        assert checks[(role, "structured output")]["status"] == "OK"
        assert "json_schema taken" in checks[(role, "structured output")]["detail"]


def test_structured_output_json_object_only_says_which_setting(env, graph, scripted) -> None:
    scripted.inject("json_object_only", times=None)
    code, checks = doctor()
    assert code == 0
    check = checks[("synthesizer", "structured output")]
    assert check["status"] == "WARN" and "json_schema refused" in check["detail"] and "HTTP 500" in check["detail"]
    assert check["fix"].startswith("set SYNTHESIZER_STRUCTURED_OUTPUT=json_object")


def test_structured_output_none_says_off(env, graph, scripted, monkeypatch) -> None:
    scripted.inject("format_500", times=None)
    code, checks = doctor()
    check = checks[("synthesizer", "structured output")]
    assert check["status"] == "WARN" and check["fix"].startswith("set SYNTHESIZER_STRUCTURED_OUTPUT=off")
    monkeypatch.setenv("SYNTHESIZER_STRUCTURED_OUTPUT", "off")
    code, checks = doctor()
    assert checks[("synthesizer", "structured output")]["status"] == "OK"


def test_each_endpoint_of_a_pool_is_probed(env, graph, scripted, monkeypatch) -> None:
    # the scripted server, and a dead endpoint beside it
    monkeypatch.setenv("SYNTHESIZER_BASE_URL", f"{scripted.base_url},http://127.0.0.1:1/v1")
    code, checks = doctor()
    assert code == 1
    assert checks[("synthesizer", "pool")]["detail"].startswith("2 endpoints")
    assert checks[("synthesizer 1/2", "reachable")]["status"] == "OK"
    assert checks[("synthesizer 1/2", "1-token call")]["status"] == "OK"
    failure = checks[("synthesizer 2/2", "reachable")]
    assert failure["status"] == "FAIL" and "127.0.0.1:1" in failure["detail"]
