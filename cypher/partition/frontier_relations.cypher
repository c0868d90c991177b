// One level of a batch's growth: for each frontier entity, the relations a batch can add
// from it — not excluded, whose other entity is not excluded, not placed yet by this
// partition run. bidirectional true: relations in either direction; false: outgoing only
// (the batch follows the direction the knowledge was stated in). partition.py runs it for
// the frontiers of a whole wave of seeds at once; candidates.cypher shows the k levels
// around one seed.
// Parameters: $entity_ids (the frontier), $run_id, $bidirectional.
// Returns one row: entities — a list of [entity id, tokens, loss, relations], relations a list of
//   [relation id, other entity id, outgoing?, tokens, loss, other entity's tokens, other entity's loss]
//   (tokens: of the description). One row of lists rather than many rows: the driver reads it
//   many times faster.
:param entity_ids => ['ent-…']
:param run_id => 'partition-20260101-000000'
:param bidirectional => true
UNWIND $entity_ids AS entity_id
MATCH (n:Entity {id: entity_id})
WHERE coalesce(n.excluded, false) = false
CALL (n) {
  MATCH (n)-[r:RELATED]-(m:Entity)
  WHERE ($bidirectional OR startNode(r) = n)
    AND coalesce(r.excluded, false) = false AND coalesce(m.excluded, false) = false
    AND coalesce(r.batch_run_id, '') <> $run_id
  RETURN collect([r.id, m.id, startNode(r) = n, r.description_tokens, r.loss,
                  m.description_tokens, m.loss]) AS relations
}
RETURN collect([n.id, n.description_tokens, n.loss, relations]) AS entities
