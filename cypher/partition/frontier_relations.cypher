// One level of a batch's growth: the relations around each frontier entity, as bare
// structure — elementIds only, no property is read. partition.py runs it for the frontiers
// of a whole wave of seeds at once and keeps only relations still free in its seed order
// (seed_order.cypher already left out excluded relations, relations of excluded entities and
// relations this run placed). bidirectional true: relations in either direction; false:
// outgoing only (the batch follows the direction the knowledge was stated in).
// candidates.cypher shows the k levels around one seed, readably, for Browser.
// Parameters: $entity_keys (elementIds of the frontier entities), $bidirectional.
// Returns one row of five aligned lists, one entry per entity found: entities (its
//   elementId), out_relations / out_others (its outgoing relations and their targets),
//   in_relations / in_others (incoming relations and their sources; empty unless bidirectional).
//   Flat lists of ids rather than rows or nested maps: the driver reads them fastest.
:param entity_keys => ['4:…:0']
:param bidirectional => true
UNWIND $entity_keys AS key
MATCH (n:Entity)
WHERE elementId(n) = key
RETURN collect(key) AS entities,
       collect([(n)-[r:RELATED]->(m:Entity) | elementId(r)]) AS out_relations,
       collect([(n)-[r:RELATED]->(m:Entity) | elementId(m)]) AS out_others,
       collect(CASE WHEN $bidirectional THEN [(n)<-[r:RELATED]-(m:Entity) | elementId(r)] ELSE [] END) AS in_relations,
       collect(CASE WHEN $bidirectional THEN [(n)<-[r:RELATED]-(m:Entity) | elementId(m)] ELSE [] END) AS in_others
