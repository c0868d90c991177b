// The batches a partition run cut, in order: the seed relation, size, mean loss, status and
// how many QA each yielded. Without $run_id: the latest run that cut batches.
// Parameters: $run_id (null: the latest).
// Returns: run_id, index, seed, relations, entities, mean_loss, tokens, status, qa, stale_qa, id.
:param run_id => null
CALL () {
  MATCH (b:Batch) WHERE $run_id IS NULL OR b.run_id = $run_id
  WITH b.run_id AS run_id, max(b.created_at) AS created_at, count(*) AS n
  OPTIONAL MATCH (run:Run {id: run_id})
  RETURN run_id ORDER BY coalesce(run.started_at, created_at) DESC LIMIT 1
}
MATCH (b:Batch {run_id: run_id})
OPTIONAL MATCH (s:Entity)-[seed:RELATED {id: b.seed_relation_id}]->(t:Entity)
RETURN run_id, b.index AS index, coalesce(s.name + ' -> ' + t.name, b.seed_relation_id) AS seed,
       size(coalesce(b.relation_ids, [])) AS relations, size(coalesce(b.entity_ids, [])) AS entities,
       round(b.mean_loss, 2) AS mean_loss, b.tokens AS tokens, b.status AS status,
       COUNT { (b)-[:YIELDED]->(q:QA) WHERE NOT coalesce(q.stale, false) } AS qa,
       COUNT { (b)-[:YIELDED]->(q:QA) WHERE q.stale } AS stale_qa, b.id AS id
ORDER BY index
