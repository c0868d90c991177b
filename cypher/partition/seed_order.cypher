// The order batches are seeded in: every relation a batch may use (neither it nor its two
// entities excluded) that this partition run has not placed yet, first seed first — and,
// from the same scan, how many relations there are and how many have the losses the
// order uses (for the report).
//   max_loss: highest score first; min_loss: lowest first. The score is the relation's loss
//   (loss_strategy 'only_edge') or its loss plus both entities' losses ('both'). Relations
//   without a score come last; ties and those go by strength (highest first), then id.
//   random: this query orders by strength, id; the caller re-sorts by SHA-256('seed:id').
// Parameters: $run_id, $edge_sampling ('max_loss' | 'min_loss' | 'random'),
//   $loss_strategy ('only_edge' | 'both').
// Returns one row:
//   ids, keys, tokens, losses — four aligned lists, in seed order: relation ids, their
//     elementId (which partition.py fetches neighbourhoods with, reading no property),
//     description tokens (-1 when not counted), loss (-1 when not judged). Lists rather than
//     rows: the Python driver reads one long list ten times faster.
//   relations (usable: neither it nor its entities excluded, placed or not), excluded,
//   judged (usable, with a loss), judged_with_entities (usable; it and both entities have a loss).
// To look at the first seeds in Browser, replace the RETURN by
//   `WITH r, score WHERE seed RETURN r.id, score, r.strength LIMIT 25`.
:param run_id => 'partition-20260101-000000'
:param edge_sampling => 'max_loss'
:param loss_strategy => 'only_edge'
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WITH r, s, t, coalesce(r.excluded, false) OR coalesce(s.excluded, false) OR coalesce(t.excluded, false) AS excluded
WITH r, excluded, NOT excluded AND coalesce(r.batch_run_id, '') <> $run_id AS seed,
     CASE $loss_strategy WHEN 'both' THEN r.loss + s.loss + t.loss ELSE r.loss END AS score,
     r.loss IS NOT NULL AND s.loss IS NOT NULL AND t.loss IS NOT NULL AS judged_with_entities
ORDER BY score IS NULL,
         CASE $edge_sampling WHEN 'max_loss' THEN -score WHEN 'min_loss' THEN score END,
         r.strength IS NULL, r.strength DESC, r.id
RETURN collect(CASE WHEN seed THEN r.id END) AS ids, collect(CASE WHEN seed THEN elementId(r) END) AS keys,
       collect(CASE WHEN seed THEN coalesce(r.description_tokens, -1) END) AS tokens,
       collect(CASE WHEN seed THEN coalesce(r.loss, -1.0) END) AS losses,
       count(CASE WHEN NOT excluded THEN 1 END) AS relations, count(CASE WHEN excluded THEN 1 END) AS excluded,
       count(CASE WHEN NOT excluded AND r.loss IS NOT NULL THEN 1 END) AS judged,
       count(CASE WHEN NOT excluded AND judged_with_entities THEN 1 END) AS judged_with_entities
