// Which incoming documents the graph holds already, and which older versions they replace
// (documents with the same source_key and another content hash).
// Parameters: $docs — [{id, source_key}]
// Returns: id, exists (boolean), replaces (ids of the older versions)
:param docs => [{id: 'doc-0', source_key: 'examples/rice_zh.jsonl#1'}]
UNWIND $docs AS doc
OPTIONAL MATCH (same:Document {id: doc.id})
CALL (doc) {
  OPTIONAL MATCH (old:Document {source_key: doc.source_key})
  WHERE old.id <> doc.id
  RETURN collect(old.id) AS replaces
}
RETURN doc.id AS id, same IS NOT NULL AS exists, replaces
