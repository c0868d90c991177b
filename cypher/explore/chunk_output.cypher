// What one chunk produced: the entities it mentions and the relations extracted from it,
// with the chunk and its document (Browser draws them as a graph). Give the chunk id, or
// the document's source_key and the chunk's index.
// Parameters: $chunk_id; or $source_key and $index; or neither (null): the chunk that
//   mentions the most entities.
// Returns per entity (and relation): document, chunk, mention, entity, relation, other,
//   entity_name, type, relation_description.
:param chunk_id => null
:param source_key => null
:param index => 0
CALL () {
  MATCH (c:Chunk {id: $chunk_id}) RETURN c
  UNION
  MATCH (:Document {source_key: $source_key})-[:HAS_CHUNK]->(c:Chunk {index: $index}) RETURN c
  UNION
  MATCH (c:Chunk) WHERE $chunk_id IS NULL AND $source_key IS NULL
  RETURN c ORDER BY COUNT { (c)-[:MENTIONS]->() } DESC, c.id LIMIT 1
}
WITH collect(c) AS found
CALL apoc.util.validate(size(found) <> 1, 'expected one chunk (id %s, or %s #%s), found %d',
  [coalesce($chunk_id, 'null'), coalesce($source_key, 'null'), coalesce(toString($index), 'null'), size(found)])
WITH found[0] AS c
OPTIONAL MATCH (d:Document)-[:HAS_CHUNK]->(c)
MATCH (c)-[m:MENTIONS]->(e:Entity)
OPTIONAL MATCH (e)-[r:RELATED]->(other:Entity) WHERE c.id IN coalesce(r.chunk_ids, [])
RETURN d AS document, c AS chunk, m AS mention, e AS entity, r AS relation, other,
       e.name AS entity_name, e.type AS type, r.description AS relation_description
ORDER BY entity_name, relation_description
