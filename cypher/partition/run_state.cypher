// What a partition run has cut so far: to resume it, and to refuse resuming it with
// other settings.
// Relation batches are numbered 0, 1, … in the order they were cut. Two writers store
// them side by side, so a run that stopped may hold, past its unbroken prefix, a few
// batches written ahead; resuming drops those (truncate_run.cypher) and cuts them again.
// Parameters: $run_id.
// Returns: relation_batches, prefix (relation batches 0 … prefix - 1 are all stored),
//   beyond_prefix_used (batches past the prefix, isolated ones included, that generation
//   has used already),
//   isolated_batches, config_hashes.
:param run_id => 'partition-20260101-000000'
OPTIONAL MATCH (b:Batch {run_id: $run_id})
WITH b ORDER BY b.index
WITH collect(b) AS batches, collect(DISTINCT b.config_hash) AS config_hashes
WITH batches, config_hashes, [b IN batches WHERE b.seed_relation_id IS NOT NULL] AS relation_batches
// indexes in order and distinct: index = position exactly for the batches before the first gap
WITH batches, config_hashes, relation_batches,
     size([k IN range(0, size(relation_batches) - 1) WHERE relation_batches[k].index = k]) AS prefix
RETURN size(relation_batches) AS relation_batches, prefix,
       size([b IN batches WHERE b.index >= prefix
             AND (b.status <> 'planned' OR EXISTS { (b)-[:YIELDED]->() })]) AS beyond_prefix_used,
       size(batches) - size(relation_batches) AS isolated_batches, config_hashes
