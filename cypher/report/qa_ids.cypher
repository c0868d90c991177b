// The ids of the QA that can be judged for faithfulness (`report --qa-judge-sample`, `filter`):
// not stale, of one run (created or reused by it) or of every run.
// Parameters: $run_id (or null for every run).
// Returns: id, judged_by (the model that judged it last, or null).
:param run_id => null
MATCH (q:QA)
WHERE coalesce(q.stale, false) = false
  AND ($run_id IS NULL OR EXISTS { (:Run {id: $run_id})-[:PRODUCED]->(q) })
RETURN q.id AS id, q.faithfulness_model AS judged_by
