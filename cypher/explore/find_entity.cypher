// Find entities by any of their names: full-text search over names and aliases (Chinese
// and English; the CJK analyzer matches parts of Chinese names too).
// Parameters: $text — words or characters to look for (null: the words of the name of the entity most
//   chunks mention); $limit.
// Returns: name, type, aliases, mentions, score, id.
// The text is searched as plain words: Lucene syntax in it (AND, OR, NOT, quotes, braces,
// slashes, colons…) is escaped, so any input is a search, never a ParseException.
// Without a text, the most mentioned entity's name is searched.
:param text => null
:param limit => 10
CALL () {
  MATCH (e:Entity) WHERE $text IS NULL
  RETURN e.name AS text
  ORDER BY e.mention_count DESC, e.name LIMIT 1
  UNION
  RETURN $text AS text
}
WITH text WHERE text IS NOT NULL
WITH reduce(q = toLower(text), c IN ['\\', '+', '-', '&', '|', '!', '(', ')', '{', '}', '[', ']', '^', '"', '~', '*', '?', ':', '/']
            | replace(q, c, '\\' + c)) AS query
CALL db.index.fulltext.queryNodes('entity_names', query) YIELD node, score
OPTIONAL MATCH (node)-[:ALIAS_OF]->(owner:Entity)
WITH coalesce(owner, node) AS e, max(score) AS score
WHERE e:Entity
RETURN e.name AS name, e.type AS type, coalesce(e.aliases, []) AS aliases, e.mention_count AS mentions,
       round(score, 3) AS score, e.id AS id
ORDER BY score DESC, name
LIMIT $limit
