// Entities whose combined description is over the token budget and waits for the synthesizer.
// Parameters: $after — id to page after (''), $limit
// Returns: id, name, descriptions
:param after => ''
:param limit => 100
MATCH (e:Entity)
WHERE e.summary_pending AND e.id > $after
  AND coalesce(e.excluded, false) = false  // curation: excluded items reach no prompt
RETURN e.id AS id, e.name AS name, e.descriptions AS descriptions
ORDER BY id
LIMIT $limit
