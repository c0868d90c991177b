// Documents found in more sources: append the new source keys (a document is removed only
// when no source holds it any more).
// Parameters: $rows — [{id, sources: [source keys to add]}]
// Returns: updated
:param rows => []
UNWIND $rows AS row
MATCH (d:Document {id: row.id})
WITH d, row, coalesce(d.sources, [d.source_key]) AS held
SET d.sources = held + [s IN row.sources WHERE NOT s IN held]
RETURN count(d) AS updated
