// End of a label propagation round: the labels community_round.cypher computed become current.
// Parameters: $keys (elementIds).   Returns: keys, labels (aligned: the labels now).
:param keys => ['4:…:0']
UNWIND $keys AS key
MATCH (e:Entity)
WHERE elementId(e) = key
SET e.community_label = e.community_next
RETURN collect(key) AS keys, collect(e.community_label) AS labels
