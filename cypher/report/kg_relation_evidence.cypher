// Sampled relations with the first chunk they were extracted from (`r.chunk_ids`), for
// the LLM-judged accuracy of `report --judge-sample`.
// Parameters: $ids — relation ids
// Returns: id, source, target, description, passage (null when no chunk is recorded)
:param ids => []
UNWIND $ids AS relation_id
MATCH (s:Entity)-[r:RELATED {id: relation_id}]->(t:Entity)
CALL (r) {
  OPTIONAL MATCH (c:Chunk) WHERE c.id IN coalesce(r.chunk_ids, [])
  WITH c ORDER BY c.id LIMIT 1
  RETURN c.text AS passage
}
RETURN r.id AS id, s.name AS source, t.name AS target, coalesce(r.description, '') AS description, passage
