// One page of relations for the quiz and the judge, in id order (resume after the last id).
// Curation: a relation that is excluded, or whose entity is, is left out.
// With the current trainee model's Judgement, if there is one (null otherwise, or when $model is null).
// Parameters: $after (id to start after; '' for the first page), $limit, $model (trainee model or null).
// Returns: id, description, quiz_statements, quiz_labels, quiz_source_hash, quiz_samples,
//          loss, loss_model, judgement (map of the Judgement's properties or null).
:param after => ''
:param limit => 25
:param model => 'Qwen2.5-7B-Instruct'
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE r.id > $after AND coalesce(r.excluded, false) = false
  AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
WITH r ORDER BY r.id LIMIT $limit
OPTIONAL MATCH (j:Judgement {id: r.id + '@' + $model})
RETURN r.id AS id, r.description AS description,
       r.quiz_statements AS quiz_statements, r.quiz_labels AS quiz_labels,
       r.quiz_source_hash AS quiz_source_hash, r.quiz_samples AS quiz_samples,
       r.loss AS loss, r.loss_model AS loss_model, j {.*} AS judgement
ORDER BY id
