"""``graphgen-neo4j generate`` and ``export``: Neo4j, the scripted server, files, tables, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.generate.export import RECORD_SCHEMAS

from .schema_check import errors


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_generate_writes_the_file_and_prints_the_table(graph, rice, server, cli_env, tmp_path) -> None:
    out = tmp_path / "train.jsonl"
    result = invoke("generate", "--mix", "aggregated=0.5,multi_hop=0.3,atomic=0.2", "--max-qa", "5",
                    "--format", "sharegpt", "--output", str(out), "--with-metadata")
    assert result.exit_code == 0, result.output
    for expected in ("scripted test server", "generate generate-", "multi_hop", "QA in this run: 5",
                     "token ledger", "wrote 5 sharegpt records (JSONL"):
        assert expected in result.output
    records = lines(out)
    assert len(records) == 5 and all(errors(r, RECORD_SCHEMAS["sharegpt"]) == [] for r in records)
    modes = sorted(r["metadata"]["mode"] for r in records)
    assert modes == ["aggregated", "aggregated", "atomic", "multi_hop", "multi_hop"]  # 3/1/1 by the mix; aggregated has 2 batches, its third goes to multi_hop
    run = graph.query("MATCH (r:Run {command: 'generate'}) RETURN r.id AS id, r.status AS status, r.llm_calls AS calls")
    assert len(run) == 1 and run[0]["status"] == "completed" and run[0]["calls"] == server.count()
    assert {r["metadata"]["run_id"] for r in records} == {run[0]["id"]}

    # Re-export, another format, as a JSON array: no LLM call.
    calls = server.count()
    again = invoke("export", "--format", "chatml", "--output", str(tmp_path / "train.json"))
    assert again.exit_code == 0, again.output
    assert "wrote 5 messages records (JSON, all runs" in again.output and server.count() == calls  # chatml = messages
    assert len(json.loads((tmp_path / "train.json").read_text())) == 5


def test_generate_json_and_a_second_run_reuses_every_qa(graph, rice, server, cli_env) -> None:
    first = invoke("generate", "--mode", "atomic", "--output", "a.jsonl", "--json")
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["generate"]["modes"]["atomic"]["generated"] == 6 and report["export"]["records"] == 6
    calls = server.count()
    second = json.loads(invoke("generate", "-m", "atomic", "--output", "b.jsonl", "--json", "--no-cache").stdout)
    assert second["generate"]["modes"]["atomic"]["reused"] == 6 and server.count() == calls
    assert second["export"]["records"] == 6


def test_usage_errors_exit_2(graph, cli_env) -> None:
    assert invoke("generate", "--mix", "aggregated=lots", "-o", "x.jsonl").exit_code == 2
    assert invoke("generate", "--mode", "riddle", "-o", "x.jsonl").exit_code == 2
    result = invoke("generate", "-o", "x.csv")
    assert result.exit_code == 2 and "name it .jsonl" in result.output
    assert invoke("export", "-o", "x.jsonl", "--format", "csv").exit_code == 2


def test_no_batches_and_no_usable_reply_fail_with_one_line(graph, build_graph, rice, server, cli_env) -> None:
    server.knobs["generate_unusable_terms"] = ["Magnaporthe", "Seed bank"]
    result = invoke("generate", "--mode", "multi_hop", "-o", "x.jsonl")
    assert result.exit_code == 1
    assert "2 replies yielded no QA" in result.output
    assert "error: generate: all 2 QA units failed (2 × bad reply)" in result.output
    assert not Path("x.jsonl").exists()  # export is not reached after a failed stage
    graph.query("MATCH (b:Batch) DETACH DELETE b")
    result = invoke("generate", "-o", "x.jsonl")
    assert result.exit_code == 1 and "run `graphgen-neo4j partition` first" in result.output
