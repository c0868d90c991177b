// Delete relations that no chunk supports any more.
// Parameters: $ids — relation ids
// Returns: deleted
:param ids => []
MATCH ()-[r:RELATED]->()
WHERE r.id IN $ids
DELETE r
RETURN count(*) AS deleted
