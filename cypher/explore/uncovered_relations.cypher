// Relations no (fresh) QA was generated from, highest loss first: where the trainee is weak
// and the dataset says nothing yet. Excluded relations and relations of excluded entities
// are left out; stale QA do not count as covering.
// Parameters: $limit.
// Returns: source, description, target, loss, batch_id, id.
:param limit => 25
CALL () {
  MATCH (q:QA) WHERE coalesce(q.stale, false) = false
  UNWIND coalesce(q.relation_ids, []) AS id
  WITH DISTINCT id
  RETURN apoc.map.fromPairs(collect([id, true])) AS covered
}
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE covered[r.id] IS NULL
  AND coalesce(r.excluded, false) = false
  AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
RETURN s.name AS source, r.description AS description, t.name AS target, round(r.loss, 2) AS loss,
       r.batch_id AS batch_id, r.id AS id
ORDER BY r.loss IS NULL, r.loss DESC, r.id
LIMIT $limit
