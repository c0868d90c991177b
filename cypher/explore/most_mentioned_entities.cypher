// The entities the documents talk about most: how many chunks mention each, with their
// aliases and how many relations they have. Excluded entities are shown and flagged.
// Parameters: $limit; $type — only this type (e.g. 'DISEASE'; null: all types).
// Returns: name, type, mentions, relations, aliases, excluded, id.
:param limit => 25
:param type => null
MATCH (e:Entity)
WHERE $type IS NULL OR e.type = $type
RETURN e.name AS name, e.type AS type, coalesce(e.mention_count, COUNT { (:Chunk)-[:MENTIONS]->(e) }) AS mentions,
       COUNT { (e)-[:RELATED]-() } AS relations, coalesce(e.aliases, []) AS aliases,
       coalesce(e.excluded, false) AS excluded, e.id AS id
ORDER BY mentions DESC, relations DESC, name
LIMIT $limit
