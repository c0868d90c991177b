// Which incoming documents the graph holds already, and the sources each one has.
// Parameters: $ids — document ids (content hashes)
// Returns: id, exists (boolean), sources (file or file#record keys; [] when new)
:param ids => ['doc-0']
UNWIND $ids AS id
OPTIONAL MATCH (d:Document {id: id})
RETURN id, d IS NOT NULL AS exists, coalesce(d.sources, [d.source_key], []) AS sources
