"""Failures are loud and destroy nothing: a stage that stopped or whose every item failed
ends the run (and the stage commands) with exit 1 and one line; export is not reached."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from graphgen_neo4j.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rice_zh.jsonl"
CONFIG = f"""\
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
GOOD_DATASET = '{"instruction": "an earlier, good record", "input": "", "output": "kept"}\n' * 160


def setup(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "graphgen_config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    dataset = tmp_path / "output" / "qa.jsonl"
    dataset.parent.mkdir(exist_ok=True)
    dataset.write_text(GOOD_DATASET, encoding="utf-8")
    return config, dataset


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def clear(graph) -> None:
    graph.query("MATCH (n) DETACH DELETE n")


def assert_stopped_cleanly(result, dataset: Path, before: bytes, *needles: str) -> str:
    assert result.exit_code == 1, result.output
    errors = error_lines(result.output)
    assert len(errors) == 1, result.output
    for needle in needles:
        assert needle in errors[0], errors[0]
    assert dataset.read_bytes() == before  # export never ran
    assert "export" not in [line.split()[1] for line in result.output.splitlines() if line.startswith("│")]
    return errors[0]


def test_a_wrong_key_after_a_good_run_exits_1_with_one_line_and_keeps_the_dataset(graph, cli_env, scripted_llm, tmp_path):
    config, dataset = setup(tmp_path)
    dataset.unlink()  # the good dataset is this first run's own
    first = invoke("run", "--config", str(config))
    assert first.exit_code == 0, first.output
    before = dataset.read_bytes()
    assert len(before.splitlines()) > 0 and before != GOOD_DATASET.encode()

    clear(graph)  # a new database (or new documents): the extraction has to be paid for again
    scripted_llm.api_key = "right-key"  # and SYNTHESIZER_API_KEY is not it
    scripted_llm.clear_requests()
    result = invoke("run", "--config", str(config), "--no-cache")
    line = assert_stopped_cleanly(result, dataset, before, "API key rejected", "SYNTHESIZER_API_KEY", scripted_llm.base_url)
    assert line.startswith("error: extract: stopped")
    assert scripted_llm.count(task="extract") <= 3 and scripted_llm.count(task="glean") == 0  # stopped at once
    assert scripted_llm.count(task="quiz") == 0
    runs = graph.query("MATCH (r:Run {command: 'run'}) RETURN r.status AS status")
    assert runs == [{"status": "failed"}]


def test_http_500_on_every_extract_call_fails_the_run(graph, cli_env, scripted_llm, tmp_path):
    config, dataset = setup(tmp_path)
    scripted_llm.inject("500", times=None, task="extract")
    result = invoke("run", "--config", str(config), "--no-cache")
    assert_stopped_cleanly(result, dataset, GOOD_DATASET.encode(), "all 3 chunks failed (3 × server error)",
                           "HTTP 500", "SYNTHESIZER_BASE_URL")
    assert "failed — failed: 3 × server" in result.output  # the summary row of the ingest stage (80 columns)
    assert scripted_llm.count(task="quiz") == 0


def test_empty_replies_on_every_extract_call_fail_the_run(graph, cli_env, scripted_llm, tmp_path):
    config, dataset = setup(tmp_path)
    scripted_llm.inject("empty_content", times=None, task="extract")
    result = invoke("run", "--config", str(config), "--no-cache")
    assert_stopped_cleanly(result, dataset, GOOD_DATASET.encode(), "all 3 chunks failed (3 × bad reply)",
                           "SYNTHESIZER_MODEL")


def test_malformed_json_on_every_quiz_call_fails_the_run_before_export(graph, cli_env, scripted_llm, tmp_path):
    config, dataset = setup(tmp_path)
    scripted_llm.inject("malformed_json", times=None, task="quiz")
    result = invoke("run", "--config", str(config), "--no-cache")
    line = assert_stopped_cleanly(result, dataset, GOOD_DATASET.encode(), "bad reply", "SYNTHESIZER_")
    assert line.startswith("error: quiz: all ") and "items failed" in line
    assert scripted_llm.count(task="judge") == 0 and scripted_llm.count(task="qa_aggregated_rewrite") == 0


def test_a_trainee_without_logprobs_stops_the_run_at_judge(graph, cli_env, scripted_llm, tmp_path):
    config, dataset = setup(tmp_path)
    scripted_llm.inject("no_logprobs", times=None, task="judge")
    result = invoke("run", "--config", str(config), "--no-cache")
    line = assert_stopped_cleanly(result, dataset, GOOD_DATASET.encode(), "returns no logprobs", "TRAINEE")
    assert line.startswith("error: judge: stopped")
    flat = " ".join(result.output.replace("│", " ").split())  # the table wraps its cells at any width
    # the judge row of the summary (items in flight when the stop came may add to the counts)
    assert re.search(r"judge 0 items done, \d+ failed stopped — failed: \d+ × no logprobs", flat), flat


def test_a_partial_stage_warns_with_figures_and_the_run_succeeds(graph, cli_env, scripted_llm, tmp_path):
    config, dataset = setup(tmp_path)
    scripted_llm.inject("500", times=1, task="extract")  # one chunk fails (SYNTHESIZER_MAX_RETRIES=0)
    result = invoke("run", "--config", str(config), "--no-cache", "--json", "--overwrite")  # fewer records than the seeded file
    assert result.exit_code == 0, result.output
    assert (tmp_path / "output" / "qa.jsonl.prev").read_text(encoding="utf-8") == GOOD_DATASET
    report = json.loads(result.output)
    work = report["work"]["ingest"]
    assert (work["verdict"], work["failed"], work["reasons"]) == ("partial", 1, {"server error": 1})
    assert report["export"]["records"] > 0
    shown = invoke("run", "--config", str(config))  # the failed chunk is retried, and succeeds
    assert shown.exit_code == 0 and "warning:" not in shown.output


def test_stage_commands_exit_1_when_every_item_failed_or_a_fatal_error_stops_them(graph, cli_env, scripted_llm, tmp_path):
    scripted_llm.api_key = "right-key"
    rejected = invoke("ingest", str(EXAMPLE), "--no-cache")
    assert rejected.exit_code == 1 and len(error_lines(rejected.output)) == 1
    assert "SYNTHESIZER_API_KEY" in error_lines(rejected.output)[0]
    assert graph.query("MATCH (c:Chunk {status: 'failed'}) RETURN count(c) AS n")[0]["n"] == 0  # no chunk blamed

    scripted_llm.api_key = None
    assert invoke("ingest", str(EXAMPLE)).exit_code == 0
    scripted_llm.inject("malformed_json", times=None, task="quiz")
    quizzed = invoke("quiz", "--no-cache")
    assert quizzed.exit_code == 1, quizzed.output
    assert "items failed (" in error_lines(quizzed.output)[0] and "failed (tried again next run)" in quizzed.output
    scripted_llm.clear_faults()
    assert invoke("quiz").exit_code == 0
    scripted_llm.inject("500", times=None, task="judge")
    judged = invoke("judge", "--no-cache")
    assert judged.exit_code == 1 and "server error" in error_lines(judged.output)[0], judged.output
