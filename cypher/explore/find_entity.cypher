// Find entities by any of their names: full-text search over names and aliases (Chinese
// and English; the CJK analyzer matches parts of Chinese names too).
// Parameters: $text — words or characters to look for (null: the name of the entity most
//   chunks mention, as a phrase); $limit.
// Returns: name, type, aliases, mentions, score, id.
:param text => null
:param limit => 10
CALL () {
  MATCH (e:Entity) WHERE $text IS NULL
  RETURN '"' + replace(replace(e.name, '\\', ' '), '"', ' ') + '"' AS text
  ORDER BY e.mention_count DESC, e.name LIMIT 1
  UNION
  RETURN $text AS text
}
WITH text WHERE text IS NOT NULL
CALL db.index.fulltext.queryNodes('entity_names', text) YIELD node, score
OPTIONAL MATCH (node)-[:ALIAS_OF]->(owner:Entity)
WITH coalesce(owner, node) AS e, max(score) AS score
WHERE e:Entity
RETURN e.name AS name, e.type AS type, coalesce(e.aliases, []) AS aliases, e.mention_count AS mentions,
       round(score, 3) AS score, e.id AS id
ORDER BY score DESC, name
LIMIT $limit
