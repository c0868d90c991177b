"""``graphgen-neo4j ingest``: progress, tables, JSON, exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app

pytestmark = pytest.mark.neo4j


@pytest.fixture
def scripted_llm(server):
    return server  # the root cli_env points the endpoints at this module's server


@pytest.fixture
def cli_env(cli_env, monkeypatch, tmp_path):
    monkeypatch.setenv("SYNTHESIZER_MODEL", "scripted-synth")
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_ingest_prints_its_table_and_a_rerun_costs_nothing(graph, server, cli_env, examples):
    first = invoke("ingest", str(examples))
    assert first.exit_code == 0, first.output
    for expected in ("documents read (new / changed / unchanged)", "10 (10 / 0 / 0)", "token ledger", "extract"):
        assert expected in first.output
    again = json.loads(invoke("ingest", str(examples), "--json").output)
    assert again["llm_calls"] == 0 and again["documents_unchanged"] == 10 and again["ledger"]["rows"] == []
    runs = graph.query("MATCH (r:Run {command: 'ingest'}) RETURN r.status AS status")
    assert [r["status"] for r in runs] == ["completed", "completed"]


def test_options_and_the_config_file(graph, server, cli_env, examples):
    config = cli_env / "graphgen.yaml"
    config.write_text(f"input_file: {examples / 'rice_en.jsonl'}\ndata_type: raw\nchunking:\n  chunk_size: 40\n  chunk_overlap: 0\n",
                      encoding="utf-8")
    report = json.loads(invoke("ingest", "--config", str(config), "--json", "--max-gleaning", "0").output)
    assert report["documents"] == 3 and report["chunks"] > 3  # 40-token chunks
    assert server.count(task="glean") == 0
    small = json.loads(invoke("ingest", str(examples / "malaria_en.md"), "--chunk-size", "48", "--json").output)
    assert small["chunks"] > 1  # alone, a small size takes a tenth of itself as overlap
    bad = invoke("ingest", str(examples), "--chunk-size", "64", "--chunk-overlap", "64")
    assert bad.exit_code == 1 and "chunk_overlap (64) must be smaller than chunk_size (64)" in bad.output


def test_bad_input_exit_codes(graph, server, cli_env):
    bad = cli_env / "bad.jsonl"
    bad.write_text('{"content": "The variety IR64 is grown in India."}\n{"content": "broken\n', encoding="utf-8")
    lenient = invoke("ingest", str(bad))
    assert lenient.exit_code == 0 and "skipped bad.jsonl:2: invalid JSON" in lenient.output
    strict = invoke("ingest", str(bad), "--strict")
    assert strict.exit_code == 1 and "bad.jsonl:2: invalid JSON" in strict.output
    missing = invoke("ingest", "nowhere.jsonl")
    assert missing.exit_code == 1 and "nowhere.jsonl: no such file or folder" in missing.output


def test_failed_chunks_make_the_command_fail_and_say_how_to_retry(graph, server, cli_env, examples):
    server.inject("malformed_json", times=None, task="extract")
    result = invoke("ingest", str(examples / "rice_en.jsonl"), "--no-cache")
    assert result.exit_code == 1
    assert "3 chunk(s) failed" in result.output and "run the same command again" in result.output
    server.clear_faults()
    assert invoke("ingest", str(examples / "rice_en.jsonl"), "--no-cache").exit_code == 0
