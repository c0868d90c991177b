// Write a community partition's result on its entities: community_id (the batch it was cut
// into, 0, 1, … in the run's order) and community_run_id. Browser can colour by it
// (docs/partition.md). $clear: first remove the ids an earlier community run left.
// Parameters: $run_id, $clear, $keys (elementIds), $communities (aligned integers).
// Returns: written.
:param run_id => 'partition-20260101-000000'
:param clear => true
:param keys => []
:param communities => []
CALL () {
  MATCH (e:Entity)
  WHERE $clear AND e.community_id IS NOT NULL
  REMOVE e.community_id, e.community_run_id
  RETURN count(*) AS cleared
}
UNWIND range(0, size($keys) - 1) AS i
MATCH (e:Entity)
WHERE elementId(e) = $keys[i]
SET e.community_id = $communities[i], e.community_run_id = $run_id
RETURN count(*) AS written
