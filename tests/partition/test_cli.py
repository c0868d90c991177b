"""``graphgen-neo4j partition``: dry run, a real run with its Run record, the config file, flags, exit codes.

``cli_env`` (tests/conftest.py) points the commands at the test Neo4j."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from graphgen_neo4j.cli import app

from .test_semantics import TOY


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_dry_run_shows_count_histogram_and_tokens_and_writes_nothing(graph, make_graph, cli_env):
    make_graph(TOY, ["G"])
    result = invoke("partition", "--dry-run", "--max-depth", "1", "--max-extra-edges", "2",
                    "--isolated-node-strategy", "add")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing written" in result.output
    assert "batch sizes" in result.output and "0 (entity)" in result.output
    assert "180 (mean 60.0, max 100)" in result.output  # [E→F, D→E] 70, [A→B, A→C, A→D] 100, [G] 10
    assert graph.query("MATCH (n) WHERE n:Batch OR n:Run RETURN count(n) AS n")[0]["n"] == 0


def test_run_stores_batches_under_a_run_record_and_prints_json(graph, make_graph, cli_env):
    make_graph(TOY)
    result = invoke("partition", "--forward", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["batches"] == 4 and report["size_histogram"] == {"1": 3, "2": 1}
    runs = graph.query("MATCH (r:Run {command: 'partition'}) OPTIONAL MATCH (b:Batch {run_id: r.id}) "
                       "RETURN r.id AS id, r.status AS status, count(b) AS batches")
    assert runs == [{"id": report["run_id"], "status": "completed", "batches": 4}]


def test_config_file_traverse_strategy_then_flags(graph, make_graph, cli_env, tmp_path):
    make_graph(TOY)
    (tmp_path / "config.yaml").write_text(
        "traverse_strategy:\n  qa_form: multi_hop\n  max_depth: 3\n  max_extra_edges: 3\n", encoding="utf-8")
    from_file = json.loads(invoke("partition", "--config", "config.yaml", "--dry-run", "--json").output)
    assert from_file["size_histogram"] == {"1": 1, "4": 1}  # [E→F, D→E, A→D, A→B], [A→C]
    overridden = json.loads(invoke("partition", "--config", "config.yaml", "--max-depth", "1", "--dry-run",
                                   "--json").output)
    assert overridden["size_histogram"] == {"2": 1, "3": 1}


def test_bad_values_are_usage_errors(graph, cli_env, tmp_path):
    assert invoke("partition", "--edge-sampling", "biggest").exit_code == 2
    assert invoke("partition", "--max-depth", "0").exit_code == 2
    (tmp_path / "bad.yaml").write_text("traverse_strategy:\n  max_dept: 2\n", encoding="utf-8")
    result = invoke("partition", "--config", "bad.yaml")
    assert result.exit_code == 1 and "max_dept" in result.output
