// `filter --reset`: clear the filter's marks, so export writes those QA again.
// Parameters: $run_id — only the QA of this run (created or reused by it); null for all.
// Returns: restored (QA whose mark was cleared).
:param run_id => null
MATCH (q:QA)
WHERE q.filtered = true
  AND ($run_id IS NULL OR EXISTS { (:Run {id: $run_id})-[:PRODUCED]->(q) })
REMOVE q.filtered, q.filter_reasons, q.filter_rules, q.filtered_at
RETURN count(q) AS restored
