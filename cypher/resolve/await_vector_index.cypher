// Wait (up to 300 s) until the entity embedding index is online and populated.
// Parameters: none.   Returns: nothing.
CALL db.awaitIndex('entity_embedding', 300)
