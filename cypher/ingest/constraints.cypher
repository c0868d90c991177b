// Names of the constraints in the database (ingest checks that the schema is applied).
// Parameters: none
// Returns: names
SHOW CONSTRAINTS YIELD name
RETURN collect(name) AS names
