// Relations whose combined description is over the token budget and waits for the synthesizer.
// Parameters: $after — id to page after (''), $limit
// Returns: id, source, target, descriptions
:param after => ''
:param limit => 100
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE r.summary_pending AND r.id > $after
  AND NOT coalesce(r.excluded, false) AND NOT coalesce(s.excluded, false) AND NOT coalesce(t.excluded, false)
RETURN r.id AS id, s.name AS source, t.name AS target, r.descriptions AS descriptions
ORDER BY id
LIMIT $limit
