// Size of the knowledge graph after an ingest.
// Parameters: none
// Returns: documents, chunks, chunks_failed, chunks_pending, entities, relations, aliases
CALL () { MATCH (d:Document) RETURN count(d) AS documents }
CALL () { MATCH (c:Chunk) RETURN count(c) AS chunks,
                                 count(CASE WHEN c.status = 'failed' THEN 1 END) AS chunks_failed,
                                 count(CASE WHEN c.status = 'pending' THEN 1 END) AS chunks_pending }
CALL () { MATCH (e:Entity) RETURN count(e) AS entities }
CALL () { MATCH ()-[r:RELATED]->() RETURN count(r) AS relations }
CALL () { MATCH (a:Alias) RETURN count(a) AS aliases }
RETURN documents, chunks, chunks_failed, chunks_pending, entities, relations, aliases
