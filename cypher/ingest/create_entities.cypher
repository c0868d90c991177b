// New entities, each with the Aliases that route to it (its name first). The writer knows
// they are new: no Alias routed their names. An Alias key may still exist without an
// entity (its entity was deleted): it is attached to the new one.
// Parameters: $rows — [{id, name, props: {type, type_votes, descriptions, description, aliases, mention_count, …},
//                       aliases: [{key, name, source: 'name'|'llm'}]}]
// Returns: created
:param rows => []
UNWIND $rows AS row
CREATE (e:Entity {id: row.id, name: row.name})
SET e += row.props
WITH e, row
UNWIND row.aliases AS alias
MERGE (a:Alias {key: alias.key})
ON CREATE SET a.name = alias.name, a.source = alias.source
CREATE (a)-[:ALIAS_OF]->(e)
RETURN count(DISTINCT e) AS created
