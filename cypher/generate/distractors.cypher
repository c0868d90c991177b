// Distractors for multiple-choice QA: for each answer entity, other entities of the SAME
// type, nearest first — one hop from it, then two hops (through relations that are not
// excluded), then, only if the neighbourhood has too few, other entities of that type
// with the most relations. Excluded entities are never offered; neither are the entities
// in $avoid_ids (the fact's own endpoints). Names are compared case-insensitively so an
// alias-like duplicate of the answer is not offered as a wrong option.
// Parameters: $entity_ids (answer entities), $avoid_ids, $limit (distractors per entity).
// Returns per answer entity: entity_id, distractors [{id, name, type, hops}] (hops 0 = not a neighbour),
//   nearest first, at most $limit.
:param entity_ids => ['ent-1']
:param avoid_ids => []
:param limit => 3
UNWIND $entity_ids AS entity_id
MATCH (e:Entity {id: entity_id})
WHERE e.type IS NOT NULL
WITH e, COLLECT {
  CALL (e) {
    MATCH (e)-[r:RELATED]-(d:Entity {type: e.type})
    WHERE coalesce(r.excluded, false) = false
    RETURN d, 1 AS hops
    UNION
    MATCH (e)-[r1:RELATED]-(m:Entity)-[r2:RELATED]-(d:Entity {type: e.type})
    WHERE coalesce(r1.excluded, false) = false AND coalesce(r2.excluded, false) = false
      AND coalesce(m.excluded, false) = false
    RETURN d, 2 AS hops
    UNION
    MATCH (d:Entity {type: e.type})
    WITH d ORDER BY COUNT { (d)-[:RELATED]-() } DESC, d.id LIMIT $limit + size($avoid_ids) + 1
    RETURN d, 3 AS hops
  }
  WITH d, min(hops) AS hops
  WHERE d <> e AND NOT d.id IN $avoid_ids AND coalesce(d.excluded, false) = false
    AND toLower(trim(d.name)) <> toLower(trim(e.name))
  RETURN {id: d.id, name: d.name, type: d.type, hops: CASE hops WHEN 3 THEN 0 ELSE hops END} AS distractor
  ORDER BY hops, distractor.name
  LIMIT $limit
} AS distractors
RETURN e.id AS entity_id, distractors
