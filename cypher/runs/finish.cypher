// Record the outcome of a run: timings, LLM calls and tokens, counts (JSON strings:
// Neo4j properties cannot hold maps).
:param id => 'run-20261125-220000-ab12'
MATCH (r:Run {id: $id})
SET r.status = $status, r.finished_at = datetime(), r.error = $error,
    r.stage_timings_json = $stage_timings_json, r.ledger_json = $ledger_json,
    r.counts_json = $counts_json, r.llm_calls = $llm_calls, r.tokens = $tokens
RETURN r.id AS id
