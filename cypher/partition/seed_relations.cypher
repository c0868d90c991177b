// The entities of a wave's seed relations.
// Parameters: $relation_keys (elementIds of relations, from seed_order.cypher).
// Returns one row of three aligned lists: keys (the relations found), sources, targets
//   (elementIds of their entities).
:param relation_keys => ['5:…:0']
UNWIND $relation_keys AS key
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE elementId(r) = key
RETURN collect(key) AS keys, collect(elementId(s)) AS sources, collect(elementId(t)) AS targets
