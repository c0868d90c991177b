// The relations batches may be seeded with: every relation a batch may use (neither it nor
// its two entities excluded) that this partition run has not placed yet — and, from the
// same scan, how many relations there are and how many have the losses the order uses
// (for the report). partition.py sorts them into the seed order:
//   max_loss: highest score first; min_loss: lowest first. The score is the relation's loss
//   (loss_strategy 'only_edge') or its loss plus both entities' losses ('both'). Relations
//   without a score come last; ties and those go by strength (highest first), then id.
//   random: by SHA-256('seed:id').
// Sorting 300k rows costs Neo4j about as much again as the scan itself, and Python far
// less; and the scan is split by relation id ($from_id ≤ r.id < $to_id, an index range)
// so that partition.py runs its parts side by side, one per core. A relation without an
// id (not made by graphgen-neo4j) is never a seed.
// Parameters: $run_id, $loss_strategy ('only_edge' | 'both'), $from_id ('' for the first
//   part), $to_id (null for the last part).
// Returns one row:
//   ids, keys, tokens, losses, scores, strengths — aligned lists, an entry per seed: relation
//     id, elementId (which partition.py fetches neighbourhoods with, reading no property),
//     description tokens (-1 when not counted), loss, score and strength (-1 when missing: a
//     loss is never negative, a strength is 1–10). Lists rather than rows: the Python
//     driver reads one long list ten times faster, and collect() would skip a null.
//   relations (usable: neither it nor its entities excluded, placed or not), excluded,
//   judged (usable, with a loss), judged_with_entities (usable; it and both entities have a loss).
// To look at the first seeds in Browser, replace the RETURN by
//   `WITH r, score WHERE seed RETURN r.id, score, r.strength ORDER BY score DESC LIMIT 25`.
:param run_id => 'partition-20260101-000000'
:param loss_strategy => 'only_edge'
:param from_id => ''
:param to_id => null
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE r.id >= $from_id AND ($to_id IS NULL OR r.id < $to_id)
WITH r, s, t, coalesce(r.excluded, false) OR coalesce(s.excluded, false) OR coalesce(t.excluded, false) AS excluded
WITH r, excluded, NOT excluded AND coalesce(r.batch_run_id, '') <> $run_id AS seed,
     CASE $loss_strategy WHEN 'both' THEN r.loss + s.loss + t.loss ELSE r.loss END AS score,
     r.loss IS NOT NULL AND s.loss IS NOT NULL AND t.loss IS NOT NULL AS judged_with_entities
RETURN collect(CASE WHEN seed THEN r.id END) AS ids, collect(CASE WHEN seed THEN elementId(r) END) AS keys,
       collect(CASE WHEN seed THEN coalesce(r.description_tokens, -1) END) AS tokens,
       collect(CASE WHEN seed THEN coalesce(r.loss, -1.0) END) AS losses,
       collect(CASE WHEN seed THEN coalesce(score, -1.0) END) AS scores,
       collect(CASE WHEN seed THEN coalesce(r.strength, -1.0) END) AS strengths,
       count(CASE WHEN NOT excluded THEN 1 END) AS relations, count(CASE WHEN excluded THEN 1 END) AS excluded,
       count(CASE WHEN NOT excluded AND r.loss IS NOT NULL THEN 1 END) AS judged,
       count(CASE WHEN NOT excluded AND judged_with_entities THEN 1 END) AS judged_with_entities
