// The vector index over entity embeddings (cosine), for `resolve`'s nearest neighbours.
// The dimension is the embedding model's: an index of another dimension is dropped first
// (`resolve/drop_vector_index`); `resolve/await_vector_index` waits until it is online.
// Parameters: $dimensions (an integer, 1..4096).
// Returns: nothing.
CREATE VECTOR INDEX entity_embedding IF NOT EXISTS
FOR (e:Entity) ON e.embedding
OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}
