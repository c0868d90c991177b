// How many items the assessment looks at: relations, and entities when they are assessed
// too (loss_strategy: both). Excluded items are left out.
// Parameters: $include_entities (boolean).
// Returns: relations, entities (0 when not included).
:param include_entities => false
CALL () {
  MATCH (s:Entity)-[r:RELATED]->(t:Entity)
  WHERE coalesce(r.excluded, false) = false
    AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
  RETURN count(r) AS relations
}
CALL () {
  OPTIONAL MATCH (e:Entity)
  WHERE $include_entities AND coalesce(e.excluded, false) = false
  RETURN count(e) AS entities
}
RETURN relations, entities
