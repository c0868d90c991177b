// What a partition run has cut so far: to resume it, and to refuse resuming it with
// other settings.
// Parameters: $run_id.
// Returns: relation_batches, last_relation_index (relation batches are numbered 0, 1, … without
//   gaps: what a run stores is always a prefix), isolated_batches, config_hashes.
:param run_id => 'partition-20260101-000000'
OPTIONAL MATCH (b:Batch {run_id: $run_id})
RETURN count(b.seed_relation_id) AS relation_batches,
       max(CASE WHEN b.seed_relation_id IS NOT NULL THEN b.index END) AS last_relation_index,
       count(b) - count(b.seed_relation_id) AS isolated_batches,
       collect(DISTINCT b.config_hash) AS config_hashes
