// The material QA are written from, read from the graph as it is now: for each batch,
// its relations that are not excluded (both entities not excluded either), with their
// endpoints; for a batch without relations, its entities that are not excluded.
// Excluded entities and relations therefore never reach a prompt.
// Parameters: $batch_ids.
// Returns per batch: batch_id, mean_loss, relations [{id, source_id, target_id, description, loss, chunk_ids,
//   quiz_statements, quiz_labels}] (the statements `quiz` stored, which true_false QA reuse),
//   entities [{id, name, type, description, chunk_ids}] (the relations' endpoints, or the batch's own
//   entities with the chunks that mention them; may repeat an entity).
:param batch_ids => ['batch-1']
UNWIND $batch_ids AS batch_id
MATCH (b:Batch {id: batch_id})
CALL (b) {
  UNWIND coalesce(b.relation_ids, []) AS relation_id
  MATCH (s:Entity)-[r:RELATED {id: relation_id}]->(t:Entity)
  WHERE coalesce(r.excluded, false) = false
    AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
  RETURN collect({id: r.id, source_id: s.id, target_id: t.id, description: coalesce(r.description, ''),
                  loss: r.loss, chunk_ids: coalesce(r.chunk_ids, []),
                  quiz_statements: coalesce(r.quiz_statements, []), quiz_labels: coalesce(r.quiz_labels, [])}) AS relations,
         [e IN collect(s) + collect(t) |
           {id: e.id, name: e.name, type: e.type, description: coalesce(e.description, ''), chunk_ids: []}] AS endpoints
}
WITH b, relations, endpoints,
     CASE WHEN size(coalesce(b.relation_ids, [])) > 0 THEN [] ELSE COLLECT {
       MATCH (b)-[:HAS_ENTITY]->(e:Entity) WHERE coalesce(e.excluded, false) = false RETURN e
       UNION
       UNWIND coalesce(b.entity_ids, []) AS id
       MATCH (e:Entity {id: id}) WHERE coalesce(e.excluded, false) = false RETURN e
     } END AS own
RETURN b.id AS batch_id, b.mean_loss AS mean_loss, relations,
       endpoints + [e IN own | {id: e.id, name: e.name, type: e.type, description: coalesce(e.description, ''),
                                chunk_ids: [(c:Chunk)-[:MENTIONS]->(e) | c.id]}] AS entities
