// Route names to entities: one Alias per normalized name (an existing Alias without an
// entity, left by a deleted entity, is attached again).
// Parameters: $rows — [{key, name, source: 'name'|'llm', entity_id}]
// Returns: created
:param rows => []
UNWIND $rows AS row
MATCH (e:Entity {id: row.entity_id})
MERGE (a:Alias {key: row.key})
ON CREATE SET a.name = row.name, a.source = row.source, a._created = true
MERGE (a)-[:ALIAS_OF]->(e)
WITH a, a._created AS created
REMOVE a._created
RETURN count(CASE WHEN created THEN 1 END) AS created
