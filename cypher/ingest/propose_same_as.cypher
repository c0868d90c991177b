// Two entities claim the same alias: propose them as duplicates for an analyst to review.
// Parameters: $rows — [{source_id, target_id, key}]
// Returns: proposed
:param rows => []
UNWIND $rows AS row
MATCH (a:Entity {id: row.source_id}), (b:Entity {id: row.target_id})
MERGE (a)-[s:SAME_AS]-(b)
ON CREATE SET s.score = 0.9, s.method = 'shared_alias', s.status = 'proposed', s.alias_key = row.key
RETURN count(s) AS proposed
