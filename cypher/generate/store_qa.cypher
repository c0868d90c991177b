// Store generated QA: one :QA per distinct (mode, question, answer), linked to the
// entities it is about, to the batch that yielded it (under the unit name, for resume)
// and to the run. A QA generated again (same id) from fresh material, or after it was
// marked stale, takes the new provenance; an identical QA from another unit adds to it.
// Parameters: $run_id, $rows [{id, batch_id, mode, question, answer, language, relation_ids,
//   entity_ids, chunk_ids, loss, item_loss, yields: [{batch_id, unit}], and for the new styles options,
//   answer_key (letters, the hidden term, true/false) and reasoning (the cot chain)}], one row per id (the
//   caller merges identical QA: MERGE cannot tell rows of one statement apart).
// Returns per row: id, created (false when the QA already existed).
:param run_id => 'generate-20260101-000000'
:param rows => [{id: 'qa-example', batch_id: 'batch-1', mode: 'atomic', question: 'What does Pi9 recognise?', answer: 'Magnaporthe oryzae effectors.', language: 'en', relation_ids: [], entity_ids: [], chunk_ids: [], loss: 1.5, item_loss: 3.0, yields: [{batch_id: 'batch-1', unit: 'atomic:rel-1'}]}]
UNWIND $rows AS row
MERGE (run:Run {id: $run_id})
MERGE (q:QA {id: row.id})
WITH row, run, q, q.created_at IS NULL AS created, q.created_at IS NULL OR coalesce(q.stale, false) AS fresh
SET q.created_at = coalesce(q.created_at, datetime()),
    q.question = row.question, q.answer = row.answer, q.mode = row.mode, q.language = row.language,
    q.options = row.options, q.answer_key = row.answer_key, q.reasoning = row.reasoning,
    q.run_id = CASE WHEN fresh THEN $run_id ELSE q.run_id END,
    q.batch_id = CASE WHEN fresh THEN row.batch_id ELSE q.batch_id END,
    q.loss = CASE WHEN fresh THEN row.loss ELSE q.loss END,
    q.item_loss = CASE WHEN fresh THEN row.item_loss ELSE q.item_loss END,
    q.relation_ids = CASE WHEN fresh THEN row.relation_ids
                     ELSE q.relation_ids + [x IN row.relation_ids WHERE NOT x IN q.relation_ids] END,
    q.entity_ids = CASE WHEN fresh THEN row.entity_ids
                   ELSE q.entity_ids + [x IN row.entity_ids WHERE NOT x IN q.entity_ids] END,
    q.chunk_ids = CASE WHEN fresh THEN row.chunk_ids
                  ELSE q.chunk_ids + [x IN row.chunk_ids WHERE NOT x IN q.chunk_ids] END,
    q.stale = false, q.stale_reasons = null
MERGE (run)-[:PRODUCED]->(q)
WITH row, q, created, fresh
CALL (q, row) {
  UNWIND row.yields AS yielded
  MATCH (b:Batch {id: yielded.batch_id})
  MERGE (b)-[y:YIELDED {unit: yielded.unit}]->(q)
  SET y.mode = row.mode
}
CALL (q, fresh) {
  MATCH (q)-[about:ABOUT]->(:Entity)
  WHERE fresh
  DELETE about
}
CALL (q, row) {
  UNWIND row.entity_ids AS entity_id
  MATCH (e:Entity {id: entity_id})
  MERGE (q)-[:ABOUT]->(e)
}
RETURN q.id AS id, created
