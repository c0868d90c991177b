// Delete chunks with their MENTIONS (provenance) and HAS_CHUNK links.
// Parameters: $ids — chunk ids
// Returns: deleted
:param ids => []
MATCH (c:Chunk)
WHERE c.id IN $ids
DETACH DELETE c
RETURN count(*) AS deleted
