// The QA to export: those a run produced (or reused), or every QA when $run_id is null;
// stale QA (an item they came from was since excluded or merged away) are left out, and so
// are QA `filter` excluded (`q.filtered`; `filter --reset` brings them back).
// Parameters: $run_id (or null).   Returns: one row per QA, highest batch loss first.
:param run_id => null
MATCH (q:QA)
WHERE coalesce(q.stale, false) = false AND coalesce(q.filtered, false) = false
  AND ($run_id IS NULL OR EXISTS { (:Run {id: $run_id})-[:PRODUCED]->(q) })
RETURN q.id AS id, q.question AS question, q.answer AS answer, q.mode AS mode, q.language AS language,
       q.loss AS loss, q.item_loss AS item_loss, q.run_id AS run_id, q.batch_id AS batch_id,
       coalesce(q.relation_ids, []) AS relation_ids, coalesce(q.entity_ids, []) AS entity_ids,
       coalesce(q.chunk_ids, []) AS chunk_ids, q.options AS options, q.answer_key AS answer_key,
       q.reasoning AS reasoning
ORDER BY q.loss IS NULL, q.loss DESC, q.mode, coalesce(q.item_loss, -1.0) DESC, q.id
