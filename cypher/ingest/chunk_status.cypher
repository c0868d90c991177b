// Status of chunks about to receive extraction results (a chunk extracted already is skipped).
// Parameters: $ids — chunk ids
// Returns: id, status
:param ids => []
UNWIND $ids AS id
MATCH (c:Chunk {id: id})
RETURN c.id AS id, c.status AS status
