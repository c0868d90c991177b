// How many chunks of these documents still wait for extraction.
// Parameters: $doc_ids — document ids; $statuses — e.g. ['pending', 'failed']
// Returns: pending
:param doc_ids => []
:param statuses => ['pending', 'failed']
UNWIND $doc_ids AS id
MATCH (d:Document {id: id})
USING INDEX d:Document(id)  // not the status index: that would scan every pending chunk per document
MATCH (d)-[:HAS_CHUNK]->(c:Chunk)
WHERE c.status IN $statuses
RETURN count(DISTINCT c) AS pending
