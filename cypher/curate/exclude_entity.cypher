// Exclude an entity from every later stage (quiz, judge, partition, generate never use it nor
// its relations), or include it again with $excluded = false. Nothing is deleted.
// QA generated from it are marked stale; including it again clears that mark where nothing
// else they came from is excluded or gone.
// Parameters: $entity — id or exact name; $excluded — true to exclude, false to include,
//   $reason — why (kept on the entity as excluded_reason; may be null).
// Returns: id, name, excluded, qa_stale (stale QA that came from it), qa_fresh.
:param entity => null
:param excluded => true
:param reason => null
CALL () {
  MATCH (e:Entity) WHERE e.id = $entity OR e.name = $entity
  RETURN collect(e) AS found
}
CALL apoc.util.validate(size(found) <> 1, 'expected one entity with id or name %s, found %d', [$entity, size(found)])
CALL apoc.util.validate(NOT $excluded IN [true, false], 'set $excluded to true or false', [])
WITH found[0] AS e
SET e.excluded = $excluded,
    e.excluded_reason = CASE WHEN $excluded THEN $reason END,
    e.curated_at = datetime()
WITH e
// the QA made from it: stale while any item they came from is excluded or gone
CALL (e) {
  MATCH (q:QA) WHERE e.id IN coalesce(q.entity_ids, [])
  CALL (q) {
    UNWIND coalesce(q.relation_ids, []) AS id
    OPTIONAL MATCH (s)-[r:RELATED {id: id}]->(t)
    WITH id, r WHERE r IS NULL OR r.excluded
    RETURN collect('relation ' + id + CASE WHEN r IS NULL THEN ' is gone (merged or deleted)' ELSE ' is excluded' END) AS relation_reasons
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
RETURN e.id AS id, e.name AS name, e.excluded AS excluded, qa_stale, qa_fresh
