// The order batches are seeded in: every relation a batch may use (neither it nor its two
// entities excluded) that this partition run has not placed yet, first seed first.
//   max_loss: highest score first; min_loss: lowest first. The score is the relation's loss
//   (loss_strategy 'only_edge') or its loss plus both entities' losses ('both'). Relations
//   without a score come last; ties and those go by strength (highest first), then id.
//   random: this query orders by strength, id; the caller re-sorts by SHA-256('seed:id').
// Parameters: $run_id, $edge_sampling ('max_loss' | 'min_loss' | 'random'),
//   $loss_strategy ('only_edge' | 'both').
// Returns one row of four aligned lists, in seed order: ids (relation ids), keys (their
//   elementId, which partition.py uses to fetch neighbourhoods without reading properties),
//   tokens (description tokens, -1 when not counted) and losses (-1 when not judged).
//   Lists rather than rows: the Python driver reads one long list ten times faster.
//   To look at the first seeds in Browser, replace the RETURN by `RETURN r.id, score, r.strength LIMIT 25`.
:param run_id => 'partition-20260101-000000'
:param edge_sampling => 'max_loss'
:param loss_strategy => 'only_edge'
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE coalesce(r.excluded, false) = false
  AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
  AND coalesce(r.batch_run_id, '') <> $run_id
WITH r, CASE $loss_strategy WHEN 'both' THEN r.loss + s.loss + t.loss ELSE r.loss END AS score
ORDER BY score IS NULL,
         CASE $edge_sampling WHEN 'max_loss' THEN -score WHEN 'min_loss' THEN score END,
         r.strength IS NULL, r.strength DESC, r.id
RETURN collect(r.id) AS ids, collect(elementId(r)) AS keys,
       collect(coalesce(r.description_tokens, -1)) AS tokens, collect(coalesce(r.loss, -1.0)) AS losses
