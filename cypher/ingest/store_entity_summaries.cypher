// Store summaries, unless the descriptions changed since they were read or an analyst locked the description.
// Parameters: $rows — [{id, descriptions, description}]
// Returns: stored
:param rows => []
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
WHERE e.descriptions = row.descriptions AND NOT 'description' IN coalesce(e.locked, [])
SET e.description = row.description, e.summarized = true
REMOVE e.summary_pending
RETURN count(e) AS stored
