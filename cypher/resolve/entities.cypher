// The entities the resolver compares (excluded ones are left alone), with what it needs.
// Parameters: none.
// Returns: id, name, type, aliases, description, mentions, degree.
MATCH (e:Entity)
WHERE coalesce(e.excluded, false) = false
RETURN e.id AS id, e.name AS name, e.type AS type, coalesce(e.aliases, []) AS aliases,
       left(coalesce(e.description, ''), 600) AS description,
       coalesce(e.mention_count, 0) AS mentions, COUNT { (e)-[:RELATED]-() } AS degree
ORDER BY id
