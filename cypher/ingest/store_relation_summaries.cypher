// Store summaries, unless the descriptions changed since they were read.
// Parameters: $rows — [{id, descriptions, description}]
// Returns: stored
:param rows => []
UNWIND $rows AS row
MATCH ()-[r:RELATED {id: row.id}]->()
WHERE r.descriptions = row.descriptions
SET r.description = row.description, r.summarized = true
REMOVE r.summary_pending
RETURN count(r) AS stored
