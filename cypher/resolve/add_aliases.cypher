// Add names the text states for an entity (`resolve` with --auto-accept-above): an
// :Alias {key, name, source: 'resolve'} routed to it and the name in its `aliases` list.
// A name that routes to another entity by now is left alone (that is a pair to merge).
// Parameters: $rows — [{entity_id, key, name}].
// Returns: added.
UNWIND $rows AS row
MATCH (e:Entity {id: row.entity_id})
OPTIONAL MATCH (:Alias {key: row.key})-[:ALIAS_OF]->(owner:Entity)
WITH row, e, owner
WHERE owner IS NULL
MERGE (a:Alias {key: row.key})
ON CREATE SET a.name = row.name, a.source = 'resolve', a.created_at = datetime()
MERGE (a)-[:ALIAS_OF]->(e)
SET e.aliases = coalesce(e.aliases, []) + [n IN [row.name] WHERE NOT n IN coalesce(e.aliases, []) AND n <> e.name]
RETURN count(DISTINCT a) AS added
