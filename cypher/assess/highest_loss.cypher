// The relations the trainee understands least: highest loss first.
// Parameters: $model (trainee model; null = whichever model each loss is from), $limit.
// Returns: id, source, target, description, loss, confidence, statements, model.
:param model => 'Qwen2.5-7B-Instruct'
:param limit => 10
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE r.loss IS NOT NULL AND ($model IS NULL OR r.loss_model = $model)
  AND coalesce(r.excluded, false) = false
RETURN r.id AS id, s.name AS source, t.name AS target, r.description AS description,
       r.loss AS loss, r.loss_confidence AS confidence, r.loss_statements AS statements,
       r.loss_model AS model
ORDER BY loss DESC, id
LIMIT $limit
