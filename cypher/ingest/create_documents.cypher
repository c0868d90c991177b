// Create documents and their chunks (status 'pending'); chunks already in the graph
// (same text elsewhere) are linked, not created again.
// Parameters: $docs — [{id, source, source_key, sources, text, language, tokens, metadata,
//                        chunks: [{id, text, index, tokens, language, pages}]}]
// (sources: every source key holding the text; source_key: the first; metadata: JSON of a
//  table row's other columns, or null; pages: a PDF chunk's page numbers, or null)
// Returns: links — HAS_CHUNK relationships merged
:param docs => []
UNWIND $docs AS doc
MERGE (d:Document {id: doc.id})
ON CREATE SET d.source_key = doc.source_key, d.sources = coalesce(doc.sources, [doc.source_key]), d.source = doc.source, d.text = doc.text,
              d.language = doc.language, d.tokens = doc.tokens, d.chunk_count = size(doc.chunks),
              d.ingested_at = datetime(), d.metadata = doc.metadata
WITH d, doc
UNWIND doc.chunks AS chunk
MERGE (c:Chunk {id: chunk.id})
ON CREATE SET c.text = chunk.text, c.index = chunk.index, c.tokens = chunk.tokens,
              c.language = chunk.language, c.status = 'pending', c.pages = chunk.pages
MERGE (d)-[h:HAS_CHUNK]->(c)
SET h.index = chunk.index
RETURN count(h) AS links
