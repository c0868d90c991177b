// Store summaries, unless the descriptions changed since they were read.
// Parameters: $rows — [{id, descriptions, description}]
// Returns: stored
:param rows => []
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
WHERE e.descriptions = row.descriptions
SET e.description = row.description, e.summarized = true
REMOVE e.summary_pending
RETURN count(e) AS stored
