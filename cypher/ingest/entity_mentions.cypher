// Everything the entities' derived properties are computed from: the mentions that
// remain, the aliases, and the descriptions stored now.
// Parameters: $ids — entity ids
// Returns: id, mentions [{type, description}], aliases (names other than its own), descriptions, type_votes, locked
:param ids => []
UNWIND $ids AS id
MATCH (e:Entity {id: id})
CALL (e) {
  OPTIONAL MATCH (:Chunk)-[m:MENTIONS]->(e)
  RETURN collect(m {.type, .description}) AS mentions
}
RETURN e.id AS id, mentions,
       [(a:Alias)-[:ALIAS_OF]->(e) WHERE a.source <> 'name' | a.name] AS aliases,
       e.descriptions AS descriptions, e.type_votes AS type_votes, e.locked AS locked
