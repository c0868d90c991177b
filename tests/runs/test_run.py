"""`graphgen-neo4j run`: upstream configs, re-runs, kill and resume, estimate, secrets."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rice_zh.jsonl"

# The keys and values of upstream GraphGen's April 2025 graphgen_config.yaml, as a user has them.
UPSTREAM_CONFIG = f"""\
data_type: raw
input_file: {EXAMPLE}
tokenizer: cl100k_base
quiz_samples: 2
traverse_strategy:
  qa_form: open
  bidirectional: true
  difficulty_order: [medium, medium, medium]
  edge_sampling: max_loss
  expand_method: max_width
  isolated_node_strategy: ignore
  max_depth: 1
  max_extra_edges: 2
  max_tokens: 256
  loss_strategy: only_edge
web_search: false
"""


def write_config(directory: Path, text: str = UPSTREAM_CONFIG) -> Path:
    path = directory / "graphgen_config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(app, ["run", *args])


def dataset(path: Path) -> list[dict]:
    return sorted((json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()), key=json.dumps)


def test_upstream_config_runs_unchanged(graph, cli_env, scripted_llm, tmp_path) -> None:
    result = run("--config", str(write_config(tmp_path)))
    assert result.exit_code == 0, result.output
    records = dataset(tmp_path / "output" / "qa.jsonl")
    assert records and all(set(r) == {"instruction", "input", "output"} for r in records)
    assert all(r["output"].startswith("[canned]") for r in records)
    tasks = {r.task for r in scripted_llm.requests if r.task}
    assert {"extract", "quiz", "judge", "qa_aggregated_rewrite", "qa_aggregated_question"} <= tasks
    runs = graph.query("MATCH (r:Run {command: 'run'}) RETURN r.status AS status, r.llm_calls AS calls")
    assert runs == [{"status": "completed", "calls": scripted_llm.count()}]
    qa_runs = graph.query("MATCH (q:QA) RETURN DISTINCT q.run_id AS run")
    assert len(qa_runs) == 1


def test_second_run_makes_no_llm_call_and_gives_the_same_dataset(graph, cli_env, scripted_llm, tmp_path) -> None:
    config = write_config(tmp_path)
    assert run("--config", str(config)).exit_code == 0
    first = dataset(tmp_path / "output" / "qa.jsonl")
    calls = scripted_llm.count()
    again = run("--config", str(config))
    assert again.exit_code == 0, again.output
    assert scripted_llm.count() == calls
    assert dataset(tmp_path / "output" / "qa.jsonl") == first


def test_no_trainee_runs_without_losses_and_says_so(graph, cli_env, scripted_llm, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TRAINEE_BASE_URL")
    monkeypatch.delenv("TRAINEE_MODEL")
    result = run("--config", str(write_config(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "no trainee" in result.output
    assert scripted_llm.count(task="judge") == 0
    assert graph.query("MATCH ()-[r:RELATED]->() WHERE r.loss IS NOT NULL RETURN count(r) AS n") == [{"n": 0}]
    assert dataset(tmp_path / "output" / "qa.jsonl")


def test_config_error_names_key_value_and_allowed_values(graph, cli_env, tmp_path) -> None:
    bad = write_config(tmp_path, UPSTREAM_CONFIG.replace("edge_sampling: max_loss", "edge_sampling: maximum"))
    result = run("--config", str(bad))
    assert result.exit_code == 1
    assert "traverse_strategy.edge_sampling: 'maximum' is not allowed" in result.output
    assert "max_loss" in result.output
    unknown = write_config(tmp_path, UPSTREAM_CONFIG + "qa_count: 10\n")
    result = run("--config", str(unknown))
    assert result.exit_code == 1 and "unknown key 'qa_count'" in result.output


def test_secrets_never_appear_in_output_or_run_record(graph, cli_env, scripted_llm, tmp_path, monkeypatch) -> None:
    secret = "sk-graphgen-test-secret-0123456789"
    scripted_llm.api_key = secret
    monkeypatch.setenv("SYNTHESIZER_API_KEY", secret)
    monkeypatch.setenv("TRAINEE_API_KEY", secret)
    result = run("--config", str(write_config(tmp_path)), "--json")
    assert result.exit_code == 0, result.output
    password = cli_env["NEO4J_PASSWORD"]
    runs = graph.query("MATCH (r:Run) RETURN properties(r) AS r")
    stored = json.dumps(runs, default=str) + result.output
    stored += "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".sqlite")
    assert secret not in stored and password not in stored
    # and a failing run's error message is scrubbed too
    scripted_llm.api_key = "another-key"
    failed = run("--config", str(write_config(tmp_path)), "--no-cache")
    assert failed.exit_code == 1 and secret not in failed.output
    errors = graph.query("MATCH (r:Run {status: 'failed'}) RETURN r.error AS error")
    assert errors and all(secret not in (e["error"] or "") for e in errors)


def test_estimate_is_within_ten_percent_of_the_real_run(graph, cli_env, scripted_llm, tmp_path) -> None:
    config = write_config(tmp_path, UPSTREAM_CONFIG.replace("max_depth: 1", "max_depth: 2"))
    estimated = CliRunner().invoke(app, ["estimate", "--config", str(config), "--json"])
    assert estimated.exit_code == 0, estimated.output
    expected = json.loads(estimated.output)
    assert scripted_llm.count() == 0  # estimating called no LLM
    result = run("--config", str(config), "--json")
    assert result.exit_code == 0
    # The calls the run asked for; identical ones in flight at once shared one request
    # (deduped: how many depends on timing, so only the sum is compared).
    totals = json.loads(result.output)["ledger"]["totals"]
    assert totals["calls"] == scripted_llm.count()
    real = totals["calls"] + totals["deduped"]
    assert abs(expected["calls"] - real) <= 0.10 * real, (expected["calls"], real)
    assert expected["chunks"] == graph.query("MATCH (c:Chunk) RETURN count(c) AS n")[0]["n"]


# -- killed and started again ------------------------------------------------------------------


def _start_run(config: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "graphgen_neo4j", "run", "--config", str(config)],
        cwd=cwd, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


@pytest.fixture
def uninterrupted(graph, cli_env, scripted_llm, tmp_path) -> dict:
    """The dataset and LLM call count of a run nobody interrupts (then the database is emptied again)."""
    work = tmp_path / "uninterrupted"
    work.mkdir()
    config = write_config(work)
    process = _start_run(config, work)
    assert process.wait(timeout=120) == 0, process.stderr.read().decode()
    result = {"dataset": dataset(work / "output" / "qa.jsonl"), "calls": scripted_llm.count()}
    from conftest import clear_database

    clear_database(graph)
    scripted_llm.clear_requests()
    return result


@pytest.mark.parametrize(
    "task, after",
    [("extract", 1), ("quiz", 1), ("judge", 30), ("qa_aggregated_rewrite", 1)],
    ids=["mid-ingest", "ingest-done", "mid-judge", "partition-done"],
)
def test_killed_run_resumes_to_the_same_dataset_without_repeating_calls(
    uninterrupted, graph, cli_env, scripted_llm, tmp_path, task, after
) -> None:
    work = tmp_path / "killed"
    work.mkdir()
    config = write_config(work)
    scripted_llm.latency = 0.03  # slow enough to land the kill where it is aimed
    process = _start_run(config, work)
    deadline = time.monotonic() + 120
    while scripted_llm.count(task=task) < after:
        assert process.poll() is None, "the run ended before the kill point"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    statuses = graph.query("MATCH (r:Run) RETURN r.status AS status")
    assert statuses == [{"status": "running"}]  # killed: it could not even record its end

    scripted_llm.latency = 0
    resumed = _start_run(config, work)
    assert resumed.wait(timeout=120) == 0, resumed.stderr.read().decode()
    assert dataset(work / "output" / "qa.jsonl") == uninterrupted["dataset"]
    # Only replies in flight at the kill (at most the client's concurrency) can be paid twice.
    assert scripted_llm.count() <= uninterrupted["calls"] + 16
    runs = graph.query("MATCH (r:Run) RETURN r.status AS status, r.attempts AS attempts")
    assert runs == [{"status": "completed", "attempts": 2}]


def test_summary_has_a_line_per_stage(graph, cli_env, scripted_llm, tmp_path) -> None:
    result = run("--config", str(write_config(tmp_path)))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for stage, words in [("ingest", "documents,"), ("quiz", "items quizzed now"), ("judge", "relations have a loss"),
                         ("partition", "batches over"), ("generate", "replies gave no QA"), ("export", "records →")]:
        assert stage in text and words in text, (stage, result.output)
