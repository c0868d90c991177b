// Entities and relations (not excluded) whose description has no token count yet, or
// changed since it was counted: description_tokens_of keeps the text that was counted
// (Cypher has no hash function, so the text itself is compared).
// Parameters: none.   Returns: kind ('entity' | 'relation'), ids, descriptions (two rows of lists).
CALL () {
  MATCH (e:Entity)
  WHERE coalesce(e.excluded, false) = false
    AND (e.description_tokens IS NULL OR e.description_tokens_of IS NULL
         OR e.description_tokens_of <> coalesce(e.description, ''))
  RETURN 'entity' AS kind, e.id AS id, coalesce(e.description, '') AS description
  UNION ALL
  MATCH ()-[r:RELATED]->()
  WHERE coalesce(r.excluded, false) = false
    AND (r.description_tokens IS NULL OR r.description_tokens_of IS NULL
         OR r.description_tokens_of <> coalesce(r.description, ''))
  RETURN 'relation' AS kind, r.id AS id, coalesce(r.description, '') AS description
}
RETURN kind, collect(id) AS ids, collect(description) AS descriptions
