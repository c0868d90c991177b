// One page of entities for the quiz and the judge (loss_strategy: both), in id order.
// With the current trainee model's Judgement, if there is one (null otherwise, or when $model is null).
// Parameters: $after (id to start after; '' for the first page), $limit, $model (trainee model or null).
// Returns: id, description, quiz_statements, quiz_labels, quiz_source_hash, quiz_samples,
//          loss, loss_model, judgement (map of the Judgement's properties or null).
:param after => ''
:param limit => 25
:param model => 'Qwen2.5-7B-Instruct'
MATCH (e:Entity)
WHERE e.id > $after AND coalesce(e.excluded, false) = false
WITH e ORDER BY e.id LIMIT $limit
OPTIONAL MATCH (j:Judgement {id: e.id + '@' + $model})
RETURN e.id AS id, e.description AS description,
       e.quiz_statements AS quiz_statements, e.quiz_labels AS quiz_labels,
       e.quiz_source_hash AS quiz_source_hash, e.quiz_samples AS quiz_samples,
       e.loss AS loss, e.loss_model AS loss_model, j {.*} AS judgement
ORDER BY id
