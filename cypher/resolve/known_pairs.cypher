// Every pair already in the review queue, whatever its status (a rejected pair is never
// proposed again; an accepted one is waiting for `resolve --apply`).
// Parameters: none.
// Returns: absorb, keep, status, score, method.
MATCH (a:Entity)-[s:SAME_AS]->(k:Entity)
RETURN a.id AS absorb, k.id AS keep, s.status AS status, s.score AS score, s.method AS method
