// Compare two trainee checkpoints on the relations both were judged on (on the same
// statements): which knowledge the new one learned, which it lost. Most improved first.
// Parameters: $old, $new (trainee model names as stored in Judgement.trainee_model), $limit.
// Returns: source, description, target, old_loss, new_loss, change (new − old; negative = learned).
:param old => 'qwen-sft-step-1000'
:param new => 'qwen-sft-step-2000'
:param limit => 25
MATCH (old:Judgement {trainee_model: $old, item_kind: 'relation'})
MATCH (new:Judgement {id: old.item_id + '@' + $new})
WHERE new.statements_hash = old.statements_hash
MATCH (s:Entity)-[r:RELATED {id: old.item_id}]->(t:Entity)
RETURN s.name AS source, r.description AS description, t.name AS target,
       old.loss AS old_loss, new.loss AS new_loss, new.loss - old.loss AS change
ORDER BY change, source
LIMIT $limit
