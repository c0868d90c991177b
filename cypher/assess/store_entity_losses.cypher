// Store judged losses of entities (loss_strategy: both): one Judgement per (entity,
// trainee model), kept as history, and its values copied onto the entity.
// A row with judged_at null re-uses an existing Judgement (no new judging): its time is kept.
// Parameters: $rows — list of {item_id, model, loss, confidence, statements, p_yes, p_no,
//             statements_hash, judged_at (ISO string or null)}.
:param rows => [{item_id: 'ent-…', model: 'Qwen2.5-7B-Instruct', loss: 0.07, confidence: 0.935, statements: 2, p_yes: [0.92, 0.05], p_no: [0.08, 0.95], statements_hash: '…', judged_at: null}]
UNWIND $rows AS row
MATCH (e:Entity {id: row.item_id})
MERGE (j:Judgement {id: row.item_id + '@' + row.model})
SET j.item_id = row.item_id, j.item_kind = 'entity', j.trainee_model = row.model,
    j.loss = row.loss, j.confidence = row.confidence, j.statements = row.statements,
    j.p_yes = row.p_yes, j.p_no = row.p_no, j.statements_hash = row.statements_hash,
    j.judged_at = coalesce(datetime(row.judged_at), j.judged_at, datetime())
SET e.loss = j.loss, e.loss_model = j.trainee_model, e.loss_confidence = j.confidence,
    e.loss_statements = j.statements, e.loss_p_yes = j.p_yes, e.loss_p_no = j.p_no,
    e.judged_at = j.judged_at
RETURN count(e) AS stored
