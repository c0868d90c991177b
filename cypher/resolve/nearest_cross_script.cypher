// Nearest neighbours of the other script (Chinese vs Latin-script names) by embedding, for
// `resolve`: embeddings of one language sit closer to each other than to their translations,
// so a translation is found by rank among the other script's entities, not by a threshold.
// Looks at the $pool nearest (`entity_embedding` vector index, cosine) and keeps those whose
// script differs; the caller keeps the top few of a compatible type.
// Parameters: $ids — the entities to look around; $pool — neighbours looked at per entity;
// $model; $scripts — a map id → "cjk" | "latin" for every entity considered.
// Returns: a, b (ids), similarity (most similar first per a).
UNWIND $ids AS id
MATCH (e:Entity {id: id})
WHERE e.embedding IS NOT NULL AND e.embedding_model = $model
CALL db.index.vector.queryNodes('entity_embedding', $pool + 1, e.embedding) YIELD node, score
WITH e, node, score
WHERE node <> e AND node.embedding_model = $model AND coalesce(node.excluded, false) = false
  AND $scripts[node.id] IS NOT NULL AND $scripts[node.id] <> $scripts[e.id]
RETURN e.id AS a, node.id AS b, score AS similarity
ORDER BY a, similarity DESC
