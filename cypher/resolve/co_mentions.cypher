// The entities each chunk mentions (not excluded), for pairing names a chunk uses side by side.
// Parameters: $max_entities — chunks mentioning more are skipped (lists, tables).
// Returns: chunk, entities.
MATCH (c:Chunk)-[:MENTIONS]->(e:Entity)
WHERE coalesce(e.excluded, false) = false
WITH c, collect(e.id) AS entities
WHERE size(entities) > 1 AND size(entities) <= $max_entities
RETURN c.id AS chunk, entities
