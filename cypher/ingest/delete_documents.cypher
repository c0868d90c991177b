// Delete documents (their chunks are handled by delete_chunks).
// Parameters: $ids — document ids
// Returns: deleted
:param ids => []
MATCH (d:Document)
WHERE d.id IN $ids
DETACH DELETE d
RETURN count(*) AS deleted
