// Sampled entities with the source chunk they were first extracted from (lowest chunk id
// among those mentioning them), for the LLM-judged accuracy of `report --judge-sample`.
// Parameters: $ids — entity ids
// Returns: id, name, type, description, passage (null when no chunk mentions it)
:param ids => []
UNWIND $ids AS entity_id
MATCH (e:Entity {id: entity_id})
CALL (e) {
  OPTIONAL MATCH (c:Chunk)-[:MENTIONS]->(e)
  WITH c ORDER BY c.id LIMIT 1
  RETURN c.text AS passage
}
RETURN e.id AS id, e.name AS name, coalesce(e.type, 'UNKNOWN') AS type, coalesce(e.description, '') AS description, passage
