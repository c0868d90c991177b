// Chunks of the replaced documents that no other document holds (they go with them).
// Parameters: $old_ids — ids of the documents being replaced
// Returns: id
:param old_ids => []
MATCH (old:Document)-[:HAS_CHUNK]->(c:Chunk)
WHERE old.id IN $old_ids
WITH DISTINCT c
WHERE NOT EXISTS { MATCH (other:Document)-[:HAS_CHUNK]->(c) WHERE NOT other.id IN $old_ids }
RETURN c.id AS id
