// The entities the resolver compares (excluded ones are left alone), with what it needs.
// first_seen: when the first chunk naming it was extracted (the display-name rule's tie-break).
// Parameters: none.
// Returns: id, name, type, aliases, description, mentions, degree, first_seen.
MATCH (e:Entity)
WHERE coalesce(e.excluded, false) = false
RETURN e.id AS id, e.name AS name, e.type AS type, coalesce(e.aliases, []) AS aliases,
       left(coalesce(e.description, ''), 600) AS description,
       coalesce(e.mention_count, 0) AS mentions, COUNT { (e)-[:RELATED]-() } AS degree,
       coalesce(toString(COLLECT { MATCH (c:Chunk)-[:MENTIONS]->(e) RETURN c.extracted_at ORDER BY c.extracted_at LIMIT 1 }[0]), '') AS first_seen
ORDER BY id
