// Store summaries, unless the descriptions changed since they were read or an analyst locked the description.
// Parameters: $rows — [{id, descriptions, description}]
// Returns: stored
:param rows => []
UNWIND $rows AS row
MATCH ()-[r:RELATED {id: row.id}]->()
WHERE r.descriptions = row.descriptions AND NOT 'description' IN coalesce(r.locked, [])
SET r.description = row.description, r.summarized = true
REMOVE r.summary_pending
RETURN count(r) AS stored
