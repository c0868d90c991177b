// The chunks of these documents that still wait for extraction, in reading order.
// Parameters: $doc_ids — document ids in input order; $statuses — e.g. ['pending', 'failed']
// Returns: id, text, language, position (of the document in $doc_ids), index (in the document)
:param doc_ids => []
:param statuses => ['pending', 'failed']
UNWIND range(0, size($doc_ids) - 1) AS position
MATCH (d:Document {id: $doc_ids[position]})
USING INDEX d:Document(id)  // not the status index: that would scan every pending chunk per document
MATCH (d)-[h:HAS_CHUNK]->(c:Chunk)
WHERE c.status IN $statuses
RETURN c.id AS id, c.text AS text, c.language AS language, position, h.index AS index
ORDER BY position, index
