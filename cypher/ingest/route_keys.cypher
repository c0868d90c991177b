// Which entity each normalized name belongs to, through its Alias.
// Parameters: $keys — normalized names
// Returns: key, entity_id
:param keys => ['刘玄德']
UNWIND $keys AS key
MATCH (:Alias {key: key})-[:ALIAS_OF]->(e:Entity)
RETURN key, e.id AS entity_id
