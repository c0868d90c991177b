// Recompute `stale` on every QA: a QA is stale while a relation or entity it was generated
// from is excluded or no longer exists (merged away or deleted). The curate queries keep
// this up to date themselves; run this after changing the graph with your own Cypher.
// Parameters: none.
// Returns: checked, stale, newly_stale, no_longer_stale.
MATCH (q:QA)
WITH q, coalesce(q.stale, false) AS was_stale
CALL (q) {
  UNWIND coalesce(q.relation_ids, []) AS id
  OPTIONAL MATCH ()-[r:RELATED {id: id}]->()
  WITH id, r WHERE r IS NULL OR r.excluded
  RETURN collect('relation ' + id + CASE WHEN r IS NULL THEN ' is gone (merged or deleted)' ELSE ' is excluded' END) AS relation_reasons
}
CALL (q) {
  UNWIND coalesce(q.entity_ids, []) AS id
  OPTIONAL MATCH (x:Entity {id: id})
  WITH id, x WHERE x IS NULL OR x.excluded
  RETURN collect('entity ' + coalesce(x.name + ' (' + id + ')', id) + CASE WHEN x IS NULL THEN ' is gone (merged or deleted)' ELSE ' is excluded' END) AS entity_reasons
}
WITH q, was_stale, relation_reasons + entity_reasons AS reasons
SET q.stale = size(reasons) > 0,
    q.stale_reasons = CASE WHEN size(reasons) > 0 THEN reasons END
RETURN count(q) AS checked, count(CASE WHEN q.stale THEN 1 END) AS stale,
       count(CASE WHEN q.stale AND NOT was_stale THEN 1 END) AS newly_stale,
       count(CASE WHEN was_stale AND NOT q.stale THEN 1 END) AS no_longer_stale
