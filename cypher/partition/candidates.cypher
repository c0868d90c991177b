// What a batch seeded with one relation could grow into: the relations within $max_depth
// levels of the seed, with the level each is first reached at, in the order they would be
// taken (level by level; within a level by loss, highest first). The greedy cut takes a
// prefix of this (max_extra_edges / max_tokens), minus what earlier batches took first.
// bidirectional true: grow from both entities of the seed, along relations in either
// direction; false: from the seed's target, along outgoing relations only.
// Excluded entities and relations are never crossed. $run_id: leave out relations that
// partition run placed in other batches; null to ignore placements.
// Paths are enumerated up to 4 hops: for max_depth above 5 raise the `*0..4` bound.
// Parameters: $seed_relation_id, $max_depth, $bidirectional, $run_id.
// Returns: level, source, description, target, loss, relation_id, batch_id.
:param seed_relation_id => 'rel-…'
:param max_depth => 2
:param bidirectional => true
:param run_id => null
MATCH (s:Entity)-[seed:RELATED {id: $seed_relation_id}]->(t:Entity)
UNWIND CASE WHEN $bidirectional THEN [s, t] ELSE [t] END AS start
MATCH path = (start)-[:RELATED*0..4]-(n:Entity)
WHERE length(path) < $max_depth
  AND ($bidirectional OR all(i IN range(0, length(path) - 1)
                             WHERE startNode(relationships(path)[i]) = nodes(path)[i]))
  AND all(x IN nodes(path) WHERE coalesce(x.excluded, false) = false)
  AND all(r IN relationships(path) WHERE r <> seed AND coalesce(r.excluded, false) = false
          AND ($run_id IS NULL OR coalesce(r.batch_run_id, '') <> $run_id))
WITH seed, n, min(length(path)) AS distance
MATCH (n)-[r:RELATED]-(m:Entity)
WHERE r <> seed AND ($bidirectional OR startNode(r) = n)
  AND coalesce(r.excluded, false) = false AND coalesce(m.excluded, false) = false
  AND ($run_id IS NULL OR coalesce(r.batch_run_id, '') <> $run_id)
WITH r, min(distance) + 1 AS level
RETURN level, startNode(r).name AS source, r.description AS description, endNode(r).name AS target,
       r.loss AS loss, r.id AS relation_id, r.batch_id AS batch_id
ORDER BY level, r.loss IS NULL, r.loss DESC, r.id
