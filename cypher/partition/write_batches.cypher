// Store cut batches: a :Batch per row (status 'planned'), linked to its entities (HAS_ENTITY)
// and to its run's :Run node when there is one, and mark each of its relations with the
// batch (r.batch_id, r.batch_run_id) in the same transaction, so a run interrupted between
// two writes resumes exactly where it stopped.
// Parameters: $run_id, $config_hash, $batches [{id, index, seed_relation_id, relation_ids,
//   relation_keys, entity_ids, entity_keys, mean_loss, tokens}] (keys: the elementIds of the
//   relations and entities, which partition.py cut with).
// Returns: written.
OPTIONAL MATCH (run:Run {id: $run_id})
UNWIND $batches AS row
CREATE (b:Batch {id: row.id, run_id: $run_id, index: row.index, seed_relation_id: row.seed_relation_id,
                 relation_ids: row.relation_ids, entity_ids: row.entity_ids, mean_loss: row.mean_loss,
                 tokens: row.tokens, config_hash: $config_hash, status: 'planned', created_at: datetime()})
WITH run, b, row
CALL (b, row) {
  UNWIND row.relation_keys AS key
  MATCH ()-[r:RELATED]->()
  WHERE elementId(r) = key
  SET r.batch_id = b.id, r.batch_run_id = $run_id
}
CALL (b, row) {
  UNWIND row.entity_keys AS key
  MATCH (e:Entity)
  WHERE elementId(e) = key
  CREATE (b)-[:HAS_ENTITY]->(e)
}
FOREACH (_ IN CASE WHEN run IS NULL THEN [] ELSE [1] END | CREATE (run)-[:CREATED]->(b))
RETURN count(b) AS written
