// Which entities need a (new) embedding: none yet, another model, or another text.
// Parameters: $model — the embedding model; $keys — {id: key of the text to embed} for every entity.
// Returns: id (entities whose stored embedding is missing or stale).
UNWIND keys($keys) AS id
MATCH (e:Entity {id: id})
WHERE e.embedding IS NULL OR e.embedding_model IS NULL OR e.embedding_model <> $model
   OR coalesce(e.embedding_key, '') <> $keys[id]
RETURN e.id AS id
