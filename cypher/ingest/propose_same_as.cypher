// Two entities claim the same alias: propose them as duplicates for an analyst to review,
// as (absorb)-[:SAME_AS]->(keep) — the newcomer towards the entity that owns the alias.
// A pair already proposed, accepted or rejected (either direction) is left alone.
// Parameters: $rows — [{source_id (newcomer), target_id (owner), key (the contested alias)}]
// Returns: proposed
:param rows => []
UNWIND $rows AS row
MATCH (a:Entity {id: row.source_id}), (b:Entity {id: row.target_id})
MERGE (a)-[s:SAME_AS]-(b)
ON CREATE SET s.score = 0.9, s.method = 'shared_alias', s.status = 'proposed',
              s.reason = 'both were given the name ' + row.key, s.proposed_at = datetime()
RETURN count(s) AS proposed
