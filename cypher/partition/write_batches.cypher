// Store cut batches: a :Batch per row (status 'planned', its run in b.run_id), and mark each
// of its relations with the batch (r.batch_id, r.batch_run_id) in the same transaction, so a
// run interrupted between two writes resumes exactly where it stopped. A batch's entities
// are the endpoints of its relations (listed in b.entity_ids): in Browser,
// MATCH (s)-[r:RELATED {batch_id: $id}]->(t) RETURN s, r, t shows the batch. A batch cut
// around an isolated entity has no relation to carry the mark, so it is linked to its
// entity by HAS_ENTITY instead.
// Parameters: $run_id, $config_hash, $batches [{id, index, seed_relation_id, method (ece, bfs, dfs,
//   community; none: traverse), seed_id (ece / bfs / dfs: the seed unit's id; community: 'community-<n>';
//   traverse: none), relation_ids,
//   relation_keys, entity_ids, entity_keys (isolated batches only), mean_loss, tokens}] (keys:
//   the elementIds of the relations and entities, which partition.py cut with).
// Returns: written.
UNWIND $batches AS row
CREATE (b:Batch {id: row.id, run_id: $run_id, index: row.index, seed_relation_id: row.seed_relation_id,
                 relation_ids: row.relation_ids, entity_ids: row.entity_ids, mean_loss: row.mean_loss,
                 tokens: row.tokens, config_hash: $config_hash, status: 'planned', created_at: datetime(),
                 method: coalesce(row.method, 'traverse'), seed_id: row.seed_id})
WITH b, row
CALL (b, row) {
  UNWIND range(0, size(row.relation_keys) - 1) AS i
  MATCH ()-[r:RELATED]->()
  WHERE elementId(r) = row.relation_keys[i]
  WITH b, r, row.relation_ids[i] AS relation_id
  WHERE r.id = relation_id  // guards against an elementId reused since the cut (a relation deleted meanwhile)
  SET r.batch_id = b.id, r.batch_run_id = $run_id
}
CALL (b, row) {
  UNWIND CASE WHEN size(row.relation_keys) = 0 THEN range(0, size(row.entity_keys) - 1) ELSE [] END AS i  // isolated
  MATCH (e:Entity)
  WHERE elementId(e) = row.entity_keys[i]
  WITH b, e, row.entity_ids[i] AS entity_id
  WHERE e.id = entity_id
  CREATE (b)-[:HAS_ENTITY]->(e)
}
RETURN count(b) AS written
