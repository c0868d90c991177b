// Entities (not excluded) that no batch of this partition run covers: isolated ones, or
// whose relations are all excluded. isolated_node_strategy 'add' gives each its own batch.
// Parameters: $run_id, $covered_ids (entities covered but not written yet — dry run; else []).
// Returns: id, key (elementId), loss — ordered by id.
:param run_id => 'partition-20260101-000000'
:param covered_ids => []
MATCH (e:Entity)
WHERE coalesce(e.excluded, false) = false
  AND NOT e.id IN $covered_ids
  AND NOT EXISTS { (e)-[r:RELATED]-() WHERE r.batch_run_id = $run_id }
RETURN e.id AS id, elementId(e) AS key, e.loss AS loss
ORDER BY id
