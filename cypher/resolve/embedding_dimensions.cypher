// One stored embedding of $model, to read the dimension the vector index needs.
// Parameters: $model.
// Returns: embedding.
MATCH (e:Entity) WHERE e.embedding_model = $model AND e.embedding IS NOT NULL
RETURN e.embedding AS embedding
LIMIT 1
