// Chunk texts and the entities each mentions (not excluded): the resolver reads them for
// identity statements ("刘备，字玄德") and hard-negative cues, and pairs names a chunk uses side by side.
// Parameters: none.
// Returns: id, text, entities.
MATCH (c:Chunk)-[:MENTIONS]->(e:Entity)
WHERE coalesce(e.excluded, false) = false
WITH c, collect(e.id) AS entities
RETURN c.id AS id, coalesce(c.text, '') AS text, entities
ORDER BY id
