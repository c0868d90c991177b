// How many QA export leaves out because `filter` excluded them (stale ones aside).
// Parameters: $run_id — the QA of this run; null for all.
// Returns: filtered.
:param run_id => null
MATCH (q:QA)
WHERE q.filtered = true AND coalesce(q.stale, false) = false
  AND ($run_id IS NULL OR EXISTS { (:Run {id: $run_id})-[:PRODUCED]->(q) })
RETURN count(q) AS filtered
