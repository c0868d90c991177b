// The entity embedding index, if there is one: its dimension and state.
// Parameters: none.
// Returns: name, dimensions, state.
SHOW VECTOR INDEXES YIELD name, options, state
WHERE name = 'entity_embedding'
RETURN name, options.indexConfig.`vector.dimensions` AS dimensions, state
