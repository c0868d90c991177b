// The usable entities' ids, names and types, for anchor_bfs: partition/walks.py picks the
// anchors from these (types containing anchor_type, any case; or the entities anchor_ids names)
// and, when none matches, names the types present.
// Parameters: none.
// Returns one row of aligned lists: ids, names, types (null when an entity has none).
MATCH (e:Entity)
WHERE coalesce(e.excluded, false) = false
RETURN collect(e.id) AS ids, collect(coalesce(e.name, '')) AS names, collect(coalesce(e.type, '')) AS types
