// Relations no QA was generated from yet (not excluded, nor their entities), highest
// loss first: where the trainee is weak and the dataset says nothing.
// Parameters: $limit.   Returns: source, description, target, loss, batch_id.
:param limit => 25
CALL () {
  MATCH (q:QA) WHERE coalesce(q.stale, false) = false
  UNWIND coalesce(q.relation_ids, []) AS relation_id
  RETURN collect(DISTINCT relation_id) AS covered
}
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE coalesce(r.excluded, false) = false
  AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
  AND NOT r.id IN covered
RETURN s.name AS source, r.description AS description, t.name AS target, r.loss AS loss, r.batch_id AS batch_id
ORDER BY r.loss IS NULL, r.loss DESC, r.id
LIMIT $limit
