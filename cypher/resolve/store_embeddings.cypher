// Store name + description embeddings on entities (indexed by the `entity_embedding` vector index).
// Parameters: $model; $rows [{id, embedding, key}] — key: a hash of the embedded text.
// Returns: stored.
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.embedding = row.embedding, e.embedding_model = $model, e.embedding_key = row.key
RETURN count(e) AS stored
