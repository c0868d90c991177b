// The batches an ece / bfs / dfs / community partition run has stored, in index order: to
// resume it (methods.py cuts again, checks that the stored prefix is what it cuts, and
// writes the rest) and to refuse resuming it with other settings.
// Parameters: $run_id.
// Returns: ids, indexes, config_hashes (distinct), used (per batch: generation used it already).
:param run_id => 'partition-20260101-000000'
OPTIONAL MATCH (b:Batch {run_id: $run_id})
WITH b ORDER BY b.index
WITH collect(b) AS batches
RETURN [b IN batches | b.id] AS ids, [b IN batches | b.index] AS indexes,
       reduce(hashes = [], b IN batches |
              CASE WHEN b.config_hash IN hashes THEN hashes ELSE hashes + b.config_hash END) AS config_hashes,
       [b IN batches | b.status <> 'planned' OR EXISTS { (b)-[:YIELDED]->() }] AS used
