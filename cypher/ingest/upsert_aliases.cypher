// Route names to entities: one Alias per normalized name (an existing Alias without an
// entity, left by a deleted entity, is attached again).
// Parameters: $rows — [{key, name, source: 'name'|'llm', entity_id}]
// Returns: rows
:param rows => []
UNWIND $rows AS row
MATCH (e:Entity {id: row.entity_id})
MERGE (a:Alias {key: row.key})
ON CREATE SET a.name = row.name, a.source = row.source
MERGE (a)-[:ALIAS_OF]->(e)
RETURN count(*) AS rows
