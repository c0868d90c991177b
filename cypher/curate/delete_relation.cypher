// Delete a wrong relation for good. QA generated from it are marked stale. Its loss history
// (:Judgement) is kept. A later run that extracts it again from a new chunk creates it again:
// to keep a relation out for good, exclude it instead (curate/exclude_relation).
// Parameters: $relation — a relation id, or null and give $source and $target (ids or exact
//   names, in the relation's direction).
// Returns: id, source, description, target, qa_marked_stale.
:param relation => null
:param source => null
:param target => null
CALL () {
  MATCH ()-[r:RELATED {id: $relation}]->() RETURN r
  UNION
  MATCH (s:Entity)-[r:RELATED]->(t:Entity)
  WHERE (s.id = $source OR s.name = $source) AND (t.id = $target OR t.name = $target)
  RETURN r
}
WITH collect(r) AS found
CALL apoc.util.validate(size(found) <> 1, 'expected one relation (id %s, or %s -> %s), found %d',
  [coalesce($relation, 'null'), coalesce($source, 'null'), coalesce($target, 'null'), size(found)])
WITH found[0] AS r
WITH r, r.id AS id, startNode(r).name AS source, r.description AS description, endNode(r).name AS target
DELETE r
WITH id, source, description, target
CALL (id) {
  MATCH (q:QA) WHERE id IN coalesce(q.relation_ids, [])
  WITH q, 'relation ' + id + ' was deleted' AS reason
  SET q.stale = true,
      q.stale_reasons = coalesce(q.stale_reasons, []) + [x IN [reason] WHERE NOT x IN coalesce(q.stale_reasons, [])]
  RETURN count(q) AS qa_marked_stale
}
RETURN id, source, description, target, qa_marked_stale
