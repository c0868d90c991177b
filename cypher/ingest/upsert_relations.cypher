// Create or update relations: one per directed (source, target) pair.
// Parameters: $rows — [{id, source_id, target_id, props: {chunk_ids, evidence_*, descriptions, keywords, strength, …}}]
// Returns: created
:param rows => []
UNWIND $rows AS row
MATCH (s:Entity {id: row.source_id}), (t:Entity {id: row.target_id})
MERGE (s)-[r:RELATED]->(t)
ON CREATE SET r.id = row.id, r._created = true
SET r += row.props
WITH r, r._created AS created
REMOVE r._created
RETURN count(CASE WHEN created THEN 1 END) AS created
