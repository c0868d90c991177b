// Replace the sources of documents (the ones their files still hold); source_key and source
// follow the first one.
// Parameters: $rows — [{id, sources, source}]
// Returns: updated
:param rows => []
UNWIND $rows AS row
MATCH (d:Document {id: row.id})
SET d.sources = row.sources, d.source_key = row.sources[0], d.source = row.source
RETURN count(d) AS updated
