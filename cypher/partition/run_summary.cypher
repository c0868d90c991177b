// The batches of a partition run by size: how many batches have n relations, and their
// description tokens (0 relations = a batch around an isolated entity).
// Parameters: $run_id.   Returns: relations, batches, tokens (sum), max_tokens.
:param run_id => 'partition-20260101-000000'
MATCH (b:Batch {run_id: $run_id})
RETURN size(b.relation_ids) AS relations, count(*) AS batches, sum(b.tokens) AS tokens,
       max(b.tokens) AS max_tokens
ORDER BY relations
