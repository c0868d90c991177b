// Exclude a relation from every later stage, or include it again with $excluded = false.
// Nothing is deleted, and a later run that extracts the same relation again keeps it
// excluded (unlike curate/delete_relation). QA generated from it are marked stale; including
// it again clears that mark where nothing else they came from is excluded or gone.
// Parameters: $relation — a relation id (rel-…), or null and give $source and $target
//   (ids or exact names of its entities, in the relation's direction); $excluded; $reason.
// Returns: id, source, description, target, excluded, qa_stale, qa_fresh.
:param relation => null
:param source => null
:param target => null
:param excluded => true
:param reason => null
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
CALL apoc.util.validate(NOT $excluded IN [true, false], 'set $excluded to true or false', [])
WITH found[0] AS r
SET r.excluded = $excluded,
    r.excluded_reason = CASE WHEN $excluded THEN $reason END,
    r.curated_at = datetime()
WITH r
// the QA made from it: stale while any item they came from is excluded or gone
CALL (r) {
  MATCH (q:QA) WHERE r.id IN coalesce(q.relation_ids, [])
  CALL (q) {
    UNWIND coalesce(q.relation_ids, []) AS id
    OPTIONAL MATCH ()-[x:RELATED {id: id}]->()
    WITH id, x WHERE x IS NULL OR x.excluded
    RETURN collect('relation ' + id + CASE WHEN x IS NULL THEN ' is gone (merged or deleted)' ELSE ' is excluded' END) AS relation_reasons
  }
  CALL (q) {
    UNWIND coalesce(q.entity_ids, []) AS id
    OPTIONAL MATCH (x:Entity {id: id})
    WITH id, x WHERE x IS NULL OR x.excluded
    RETURN collect('entity ' + coalesce(x.name + ' (' + id + ')', id) + CASE WHEN x IS NULL THEN ' is gone (merged or deleted)' ELSE ' is excluded' END) AS entity_reasons
  }
  SET q.stale = size(relation_reasons + entity_reasons) > 0,
      q.stale_reasons = CASE WHEN size(relation_reasons + entity_reasons) > 0 THEN relation_reasons + entity_reasons END
  RETURN count(CASE WHEN q.stale THEN 1 END) AS qa_stale, count(CASE WHEN NOT q.stale THEN 1 END) AS qa_fresh
}
RETURN r.id AS id, startNode(r).name AS source, r.description AS description, endNode(r).name AS target,
       r.excluded AS excluded, qa_stale, qa_fresh
