// Delete entities no chunk mentions any more, with their relations and their aliases
// (aliases an analyst added stay: they attach again if the name comes back).
// Parameters: $ids — entity ids
// Returns: deleted
:param ids => []
UNWIND $ids AS id
MATCH (e:Entity {id: id})
CALL (e) {
  OPTIONAL MATCH (a:Alias)-[:ALIAS_OF]->(e)
  WHERE coalesce(a.source, '') <> 'analyst'
  DETACH DELETE a
}
DETACH DELETE e
RETURN count(*) AS deleted
