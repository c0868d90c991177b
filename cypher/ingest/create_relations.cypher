// New relations: one per directed (source, target) pair (the writer looked them up first).
// Parameters: $rows — [{id, source_id, target_id, props: {chunk_ids, evidence_*, descriptions, keywords, strength, …}}]
// Returns: created
:param rows => []
UNWIND $rows AS row
MATCH (s:Entity {id: row.source_id}), (t:Entity {id: row.target_id})
CREATE (s)-[r:RELATED {id: row.id}]->(t)
SET r += row.props
RETURN count(r) AS created
