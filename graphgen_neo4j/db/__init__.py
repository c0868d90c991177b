"""Neo4j: the one place that runs Cypher (``graph``), the query files (``queries``) and a
local server without Docker (``local_server``)."""
