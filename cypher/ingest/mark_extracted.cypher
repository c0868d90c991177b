// The extraction of these chunks is stored.
// Parameters: $ids — chunk ids
// Returns: marked
:param ids => []
UNWIND $ids AS id
MATCH (c:Chunk {id: id})
SET c.status = 'extracted', c.extracted_at = datetime()
REMOVE c.error, c.raw_reply, c.failed_at
RETURN count(c) AS marked
