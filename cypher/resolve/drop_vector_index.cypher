// Drop the entity embedding index (before making one of another dimension).
// Parameters: none.   Returns: nothing.
DROP INDEX entity_embedding IF EXISTS
