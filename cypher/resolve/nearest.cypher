// Nearest neighbours of entities by embedding (the `entity_embedding` vector index, cosine),
// for `resolve`: pairs at least $min_similarity alike, embedded by the same $model.
// Parameters: $ids — the entities to look around; $k — neighbours per entity; $model; $min_similarity.
// Returns: a, b (ids), similarity.
UNWIND $ids AS id
MATCH (e:Entity {id: id})
WHERE e.embedding IS NOT NULL AND e.embedding_model = $model
CALL db.index.vector.queryNodes('entity_embedding', $k + 1, e.embedding) YIELD node, score
WITH e, node, score
WHERE node <> e AND score >= $min_similarity AND node.embedding_model = $model
  AND coalesce(node.excluded, false) = false
RETURN e.id AS a, node.id AS b, score AS similarity
