// Write proposed duplicates as (absorb)-[:SAME_AS {score, method, status: 'proposed'}]->(keep).
// A pair already in the queue in either direction keeps its status: a proposed one gets the
// new score and method; an accepted or rejected one is left as the analyst set it.
// The signals that found the pair, the evidence sentences (cues against prefixed 'against: '),
// the chunks they came from, the score before the LLM (prior) and its verdict go with it.
// Parameters: $rows [{absorb, keep, score, method, reason, signals, evidence, chunk_ids, prior, verdict}].
// Returns: outcome ('proposed', 'rescored', 'accepted', 'rejected'), pairs.
UNWIND $rows AS row
MATCH (a:Entity {id: row.absorb}), (k:Entity {id: row.keep})
OPTIONAL MATCH (a)-[known:SAME_AS]-(k)
WITH row, a, k, head(collect(known)) AS known
WITH row, a, k, known, known.status AS status  // read before a branch below deletes `known`
CALL (row, a, k, known, status) {
  WITH * WHERE known IS NULL
  CREATE (a)-[s:SAME_AS]->(k)
  SET s.score = row.score, s.method = row.method, s.reason = row.reason, s.status = 'proposed',
      s.signals = row.signals, s.evidence = row.evidence, s.chunk_ids = row.chunk_ids, s.prior = row.prior,
      s.verdict = row.verdict, s.proposed_at = datetime()
  RETURN 'proposed' AS outcome
  UNION
  WITH * WHERE status = 'proposed'
  // re-drawn so the arrow points at the entity that should stay (extraction's own proposals
  // point either way)
  CREATE (a)-[s:SAME_AS]->(k)
  SET s = properties(known), s.score = row.score, s.method = row.method, s.reason = row.reason,
      s.signals = row.signals, s.evidence = row.evidence, s.chunk_ids = row.chunk_ids, s.prior = row.prior,
      s.verdict = row.verdict
  DELETE known
  RETURN 'rescored' AS outcome
  UNION
  WITH * WHERE status <> 'proposed'
  RETURN status AS outcome
}
RETURN outcome, count(*) AS pairs
