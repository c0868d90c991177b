// The relations of the knowledge graph (neither they nor their ends excluded), for the
// graph-quality figures: their ends, and the length of their description — the tokens
// `partition` cached when they are still current, else the text to count.
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE coalesce(r.excluded, false) = false
  AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
WITH s, t, r, r.description_tokens_of = coalesce(r.description, '') AND r.description_tokens IS NOT NULL AS cached
RETURN s.id AS source, t.id AS target,
       CASE WHEN cached THEN r.description_tokens END AS tokens,
       CASE WHEN cached THEN null ELSE coalesce(r.description, '') END AS description
