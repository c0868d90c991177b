// Label propagation's first labels: each entity's position in the seeded order
// (SHA-256 of 'seed:id', computed by partition/units.py), one chunk of entities at a time.
// Parameters: $keys (elementIds), $labels (aligned integers).   Returns: labelled.
:param keys => ['4:…:0']
:param labels => [0]
UNWIND range(0, size($keys) - 1) AS i
MATCH (e:Entity)
WHERE elementId(e) = $keys[i]
SET e.community_label = $labels[i]
RETURN count(*) AS labelled
