// The alias review queue: pairs of entities `graphgen-neo4j resolve` thinks are one, best
// score first, as (absorb)-[:SAME_AS]->(keep) — Browser draws the pairs. Decide with
// curate/review_same_as (accept / reject), then `graphgen-neo4j resolve --apply`.
// Parameters: $status — 'proposed', 'accepted' or 'rejected' (null: all); $limit.
// Returns: absorb, same_as, keep, absorb_name, keep_name, score, method, status, signals, evidence, verdict
//   (the signals that found the pair, the sentences that say so or against, the LLM's verdict).
:param status => 'proposed'
:param limit => 50
MATCH (a:Entity)-[s:SAME_AS]->(k:Entity)
WHERE $status IS NULL OR s.status = $status
RETURN a AS absorb, s AS same_as, k AS keep, a.name AS absorb_name, k.name AS keep_name,
       round(s.score, 3) AS score, s.method AS method, s.status AS status,
       coalesce(s.signals, [s.method]) AS signals, coalesce(s.evidence, []) AS evidence, s.verdict AS verdict
ORDER BY s.score DESC, absorb_name, keep_name
LIMIT $limit
