// What each batch of a partition run offers for generation NOW (curation respected):
// its relations that are not excluded and whose two entities are not excluded, with
// their loss; for a batch cut without relations (an isolated entity), its entities
// that are not excluded. `generate` chooses which batches and items to use from this.
// Parameters: $partition_run_id.
// Returns one row per batch: batch_id, index, mean_loss, status, relations [{id, loss, quizzed}], entity_ids
// (quizzed: the relation has quiz statements, which true_false QA reuse).
:param partition_run_id => 'partition-20260101-000000'
MATCH (b:Batch {run_id: $partition_run_id})
CALL (b) {
  UNWIND coalesce(b.relation_ids, []) AS relation_id
  MATCH (s:Entity)-[r:RELATED {id: relation_id}]->(t:Entity)
  WHERE coalesce(r.excluded, false) = false
    AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
  RETURN collect({id: r.id, loss: r.loss, quizzed: size(coalesce(r.quiz_statements, [])) > 0}) AS relations
}
RETURN b.id AS batch_id, b.index AS index, b.mean_loss AS mean_loss, b.status AS status, relations,
       CASE WHEN size(coalesce(b.relation_ids, [])) = 0 THEN COLLECT {
         MATCH (b)-[:HAS_ENTITY]->(e:Entity) WHERE coalesce(e.excluded, false) = false RETURN e.id
         UNION
         UNWIND coalesce(b.entity_ids, []) AS id
         MATCH (e:Entity {id: id}) WHERE coalesce(e.excluded, false) = false RETURN e.id
       } ELSE [] END AS entity_ids
ORDER BY index, batch_id
