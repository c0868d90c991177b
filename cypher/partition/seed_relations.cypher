// The seeds of a wave: each relation that this partition run has not placed yet, with its
// two entities.
// Parameters: $relation_ids, $run_id.
// Returns one row: relations — a list of [relation id, source id, target id, tokens, loss,
//   source tokens, source loss, target tokens, target loss] (tokens: of the description).
:param relation_ids => ['rel-…']
:param run_id => 'partition-20260101-000000'
UNWIND $relation_ids AS relation_id
MATCH (s:Entity)-[r:RELATED {id: relation_id}]->(t:Entity)
WHERE coalesce(r.batch_run_id, '') <> $run_id
RETURN collect([r.id, s.id, t.id, r.description_tokens, r.loss,
                s.description_tokens, s.loss, t.description_tokens, t.loss]) AS relations
