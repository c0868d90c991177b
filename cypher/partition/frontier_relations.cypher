// One level of a batch's growth: the relations around each frontier entity, as bare
// structure — elementIds only, no property is read. partition.py runs it for the frontiers
// of a whole wave of seeds at once and keeps only relations still free in its seed order
// (seed_order.cypher already left out excluded relations, relations of excluded entities and
// relations this run placed). bidirectional true: relations in either direction; false:
// outgoing only (the batch follows the direction the knowledge was stated in).
// candidates.cypher shows the k levels around one seed, readably, for Browser.
// Parameters: $entity_keys (elementIds of the frontier entities), $bidirectional.
// Returns one row of four aligned lists, an entry per (frontier entity, relation): entities
//   (the frontier entity's elementId), relations, others (the entity at the relation's other
//   end), outgoing (true when the frontier entity is the relation's source).
//   Flat lists rather than rows or nested lists: the driver reads them fastest.
:param entity_keys => ['4:…:0']
:param bidirectional => true
UNWIND $entity_keys AS key
MATCH (n:Entity)
WHERE elementId(n) = key
MATCH (n)-[r:RELATED]-(m:Entity)
WHERE $bidirectional OR startNode(r) = n
RETURN collect(key) AS entities, collect(elementId(r)) AS relations, collect(elementId(m)) AS others,
       collect(startNode(r) = n) AS outgoing
