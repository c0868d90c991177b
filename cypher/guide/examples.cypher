// Real items of this graph for the curate queries' parameters in the Browser guide
// (graphgen_neo4j/analyst/guide.py): the entity most chunks mention, its first alias,
// the relation the trainee understands least, the best proposed SAME_AS pair (null until
// `graphgen-neo4j resolve` proposed one: merging is never guessed) and an entity with an
// alias. Keys are parameter names, or <query>.<parameter>.
// Parameters: none.
// Returns: picks (one map; missing items are null).
OPTIONAL CALL () {
  MATCH (e:Entity) WHERE NOT coalesce(e.excluded, false)
  RETURN e ORDER BY coalesce(e.mention_count, 0) DESC, e.name LIMIT 1
}
OPTIONAL CALL () {
  MATCH (s:Entity)-[r:RELATED]->(t:Entity)
  WHERE NOT coalesce(r.excluded, false) AND NOT coalesce(s.excluded, false) AND NOT coalesce(t.excluded, false)
  RETURN s, r, t ORDER BY coalesce(r.loss, -1.0) DESC, r.id LIMIT 1
}
OPTIONAL CALL () {
  MATCH (a:Entity)-[p:SAME_AS {status: 'proposed'}]->(k:Entity)
  RETURN a, k ORDER BY p.score DESC, a.name LIMIT 1
}
OPTIONAL CALL () {
  MATCH (x:Entity) WHERE size(coalesce(x.aliases, [])) > 0
  RETURN x ORDER BY coalesce(x.mention_count, 0) DESC, x.name LIMIT 1
}
RETURN {
  entity: e.name, type: e.type, new_name: e.name,
  `fix_entity_description.description`: e.description,
  source: s.name, target: t.name, `fix_relation_description.description`: r.description,
  keep: k.name, absorb: a.name, `remove_alias.entity`: x.name, `remove_alias.alias`: x.aliases[0]
} AS picks
