// The extraction of these chunks failed; keep why, and the reply that could not be parsed.
// Parameters: $rows — [{id, error, raw_reply}]
// Returns: marked
:param rows => []
UNWIND $rows AS row
MATCH (c:Chunk {id: row.id})
SET c.status = 'failed', c.error = row.error, c.raw_reply = row.raw_reply, c.failed_at = datetime()
RETURN count(c) AS marked
