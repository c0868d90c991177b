// The QA generated about an entity, stale ones flagged (they came from an item that was
// since excluded or merged away and are left out of exports).
// Parameters: $entity — id or exact name (null: the entity with the most QA).
// Returns: mode, question, answer, stale, stale_reasons, loss, run_id, id.
:param entity => null
CALL () {
  MATCH (e:Entity) WHERE e.id = $entity OR e.name = $entity RETURN e
  UNION
  MATCH (:QA)-[:ABOUT]->(e:Entity) WHERE $entity IS NULL
  WITH e, count(*) AS qa ORDER BY qa DESC, e.name LIMIT 1
  RETURN e
}
MATCH (q:QA)-[:ABOUT]->(e)
RETURN q.mode AS mode, q.question AS question, q.answer AS answer, coalesce(q.stale, false) AS stale,
       q.stale_reasons AS stale_reasons, round(q.loss, 2) AS loss, q.run_id AS run_id, q.id AS id
ORDER BY stale, mode, question
