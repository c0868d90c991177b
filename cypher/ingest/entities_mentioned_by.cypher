// Entities that these chunks mention.
// Parameters: $chunk_ids
// Returns: id
:param chunk_ids => []
MATCH (c:Chunk)-[:MENTIONS]->(e:Entity)
WHERE c.id IN $chunk_ids
RETURN DISTINCT e.id AS id
