// The entities of the knowledge graph (not excluded), for the graph-quality figures
// (`report`, `stats`): their ids, read once; components are found in Python.
MATCH (e:Entity)
WHERE coalesce(e.excluded, false) = false
RETURN e.id AS id
