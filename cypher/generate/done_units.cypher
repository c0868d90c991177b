// The units of work of these batches that already have a QA that is not stale: a batch
// YIELDED each of its QA under a unit name (`aggregated`, `multi_hop`, `atomic:<item id>`).
// `generate` skips these units, which is how an interrupted run resumes.
// Parameters: $batch_ids.   Returns: batch_id, unit, qa_id, mode.
:param batch_ids => ['batch-1']
UNWIND $batch_ids AS batch_id
MATCH (b:Batch {id: batch_id})-[y:YIELDED]->(q:QA)
WHERE coalesce(q.stale, false) = false
RETURN b.id AS batch_id, y.unit AS unit, q.id AS qa_id, q.mode AS mode
