// The accepted pair to merge next (best score first): `resolve --apply` merges one at a time.
// Parameters: none.
// Returns: absorb, keep, absorb_name, keep_name, score, method, name (the display name an analyst chose, or null).
MATCH (a:Entity)-[s:SAME_AS {status: 'accepted'}]->(k:Entity)
WHERE a <> k
RETURN a.id AS absorb, k.id AS keep, a.name AS absorb_name, k.name AS keep_name, s.score AS score, s.method AS method,
       s.name AS name
ORDER BY s.score DESC, absorb, keep
LIMIT 1
