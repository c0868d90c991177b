"""Run records: secrets masked, resumable, stored in Neo4j."""

from __future__ import annotations

import json

from graphgen_neo4j.llm import TokenLedger
from graphgen_neo4j.runs.record import RunRecorder, mask_secrets


def test_mask_secrets_masks_secret_keys_and_scrubs_known_values() -> None:
    config = {"neo4j": {"uri": "bolt://x", "password": "pw-123456"}, "note": "key is sk-abcdefgh here",
              "llm": [{"api_key": "sk-abcdefgh", "model": "m"}]}
    masked = mask_secrets(config, secrets=["sk-abcdefgh"])
    assert masked == {"neo4j": {"uri": "bolt://x", "password": "***"}, "note": "key is *** here",
                      "llm": [{"api_key": "***", "model": "m"}]}
    assert mask_secrets({"api_key": ""}, secrets=[]) == {"api_key": ""}


def test_run_record_stores_config_timings_and_ledger(graph, monkeypatch) -> None:
    monkeypatch.setenv("SYNTHESIZER_API_KEY", "sk-very-secret-value")
    recorder = RunRecorder(graph, "run", {"input_file": "a.jsonl", "comment": "uses sk-very-secret-value"})
    with recorder.stage("ingest"):
        pass
    ledger = TokenLedger()
    ledger.add("ingest", "synthesizer", "m", calls=3, prompt_tokens=100, completion_tokens=20)
    recorder.counts["chunks"] = 4
    recorder.finish("completed", ledger=ledger)
    run = graph.query("MATCH (r:Run {id: $id}) RETURN r", {"id": recorder.run_id})[0]["r"]
    assert run["status"] == "completed" and run["llm_calls"] == 3 and run["tokens"] == 120
    assert "sk-very-secret-value" not in json.dumps(run, default=str)
    assert json.loads(run["stage_timings_json"])["ingest"]["finished"] is True
    assert json.loads(run["counts_json"]) == {"chunks": 4}
    assert "neo4j-server" in json.loads(run["versions_json"])


def test_unfinished_run_with_same_config_is_resumed(graph) -> None:
    first = RunRecorder(graph, "run", {"input_file": "a.jsonl"})
    first.finish("interrupted")
    again = RunRecorder(graph, "run", {"input_file": "a.jsonl"})
    assert again.resumed and again.run_id == first.run_id
    other = RunRecorder(graph, "run", {"input_file": "b.jsonl"})
    assert not other.resumed and other.run_id != first.run_id
    again.finish("completed")
    fresh = RunRecorder(graph, "run", {"input_file": "a.jsonl"})
    assert not fresh.resumed and fresh.run_id != first.run_id
    attempts = graph.query("MATCH (r:Run {id: $id}) RETURN r.attempts AS n", {"id": first.run_id})[0]["n"]
    assert attempts == 2
