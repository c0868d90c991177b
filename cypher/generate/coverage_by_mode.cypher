// How much of the graph the QA cover, per mode: QA count, mean batch loss of those QA,
// distinct relations and entities they came from. Stale QA are left out.
// Parameters: $run_id (QA a run produced or reused), or null for every QA.
// Returns: mode, qa, mean_loss, relations_covered, entities_covered.
:param run_id => null
MATCH (q:QA)
WHERE coalesce(q.stale, false) = false
  AND ($run_id IS NULL OR EXISTS { (:Run {id: $run_id})-[:PRODUCED]->(q) })
WITH q.mode AS mode, count(q) AS qa, avg(q.loss) AS mean_loss, collect(q) AS qas
CALL (qas) {
  UNWIND qas AS q
  UNWIND coalesce(q.relation_ids, []) AS relation_id
  RETURN count(DISTINCT relation_id) AS relations_covered
}
CALL (qas) {
  UNWIND qas AS q
  UNWIND coalesce(q.entity_ids, []) AS entity_id
  RETURN count(DISTINCT entity_id) AS entities_covered
}
RETURN mode, qa, mean_loss, relations_covered, entities_covered
ORDER BY mode
