// Names of the constraints in the database (ingest checks that the schema is applied).
// Returns: names
SHOW CONSTRAINTS YIELD name
RETURN collect(name) AS names
