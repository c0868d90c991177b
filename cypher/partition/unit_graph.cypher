// What ece, bfs, dfs and community partitioning need of the whole graph: every usable entity
// and relation (neither it nor, for a relation, either of its entities excluded) as bare
// numbers and ids — no text. partition/methods.py cuts from these lists (units.py) and writes
// the batches; for community it runs label propagation in Neo4j (community_round.cypher).
// A relation without an id (not made by graphgen-neo4j) is left out.
// Parameters: none.
// Returns one row of aligned lists:
//   entity_keys (elementIds), entity_ids, entity_tokens (-1 when not counted), entity_losses (-1 when
//   not judged); relation_keys, relation_ids, sources, targets (elementIds of their entities),
//   relation_tokens, relation_losses; and the counts relations (usable) and excluded.
CALL () {
  MATCH (e:Entity)
  WHERE coalesce(e.excluded, false) = false
  RETURN collect(elementId(e)) AS entity_keys, collect(e.id) AS entity_ids,
         collect(coalesce(e.description_tokens, -1)) AS entity_tokens, collect(coalesce(e.loss, -1.0)) AS entity_losses
}
CALL () {
  MATCH (s:Entity)-[r:RELATED]->(t:Entity)
  WHERE r.id IS NOT NULL
  WITH r, s, t, coalesce(r.excluded, false) OR coalesce(s.excluded, false) OR coalesce(t.excluded, false) AS excluded
  RETURN collect(CASE WHEN NOT excluded THEN elementId(r) END) AS relation_keys,
         collect(CASE WHEN NOT excluded THEN r.id END) AS relation_ids,
         collect(CASE WHEN NOT excluded THEN elementId(s) END) AS sources,
         collect(CASE WHEN NOT excluded THEN elementId(t) END) AS targets,
         collect(CASE WHEN NOT excluded THEN coalesce(r.description_tokens, -1) END) AS relation_tokens,
         collect(CASE WHEN NOT excluded THEN coalesce(r.loss, -1.0) END) AS relation_losses,
         count(CASE WHEN NOT excluded THEN 1 END) AS relations, count(CASE WHEN excluded THEN 1 END) AS excluded
}
RETURN entity_keys, entity_ids, entity_tokens, entity_losses, relation_keys, relation_ids, sources, targets,
       relation_tokens, relation_losses, relations, excluded
