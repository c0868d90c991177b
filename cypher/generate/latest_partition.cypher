// The partition run whose batches `generate` uses by default: the one started last
// (runs without a Run node or start time come after those with one, by id).
// Parameters: none.   Returns: run_id, batches (count), planned, generated, failed.
MATCH (b:Batch)
WITH b.run_id AS run_id, count(b) AS batches,
     count(CASE b.status WHEN 'planned' THEN 1 END) AS planned,
     count(CASE b.status WHEN 'generated' THEN 1 END) AS generated,
     count(CASE b.status WHEN 'failed' THEN 1 END) AS failed
OPTIONAL MATCH (run:Run {id: run_id})
RETURN run_id, batches, planned, generated, failed
ORDER BY run.started_at IS NULL, run.started_at DESC, run_id DESC
