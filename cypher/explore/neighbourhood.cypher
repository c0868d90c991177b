// An entity and the entities within $hops relations of it, drawn for Browser: entities are
// labelled by their type and relations typed by their loss band (LOSS_HIGH ≥ 1.0,
// LOSS_MID ≥ 0.3, LOSS_LOW, UNJUDGED, EXCLUDED), so cypher/style.grass colours them.
// These are virtual nodes and relationships made for the picture (apoc.create.vNode):
// nothing is written, and double-click expansion does not apply to them.
// Relations touching an excluded entity are drawn as excluded too.
// Each entity also carries a label Colour0…ColourF (from a hash of its type): the style
// colours a type it has no rule for by it, so every type present has a colour.
// Parameters: $entity — id or exact name (null: the source of the highest-loss relation);
//   $hops — 1 to 3; $limit — most relations drawn.
// Returns per relation: source, relation, target (virtual), source_name, target_name, loss, description.
:param entity => null
:param hops => 2
:param limit => 100
CALL () {
  MATCH (e:Entity) WHERE e.id = $entity OR e.name = $entity RETURN e
  UNION
  MATCH (e:Entity)-[r:RELATED]->() WHERE $entity IS NULL AND NOT coalesce(r.excluded, false)
  RETURN e ORDER BY coalesce(r.loss, -1.0) DESC, r.id LIMIT 1
}
WITH e AS center
CALL apoc.path.subgraphAll(center, {relationshipFilter: 'RELATED', maxLevel: $hops, limit: $limit})
YIELD nodes, relationships
WITH nodes, relationships,
     apoc.map.fromPairs([n IN nodes | [n.id, apoc.create.vNode(
       [coalesce(n.type, 'UNKNOWN'), 'Colour' + toUpper(left(apoc.util.md5([coalesce(n.type, 'UNKNOWN')]), 1))]
         + CASE WHEN n.excluded THEN ['Excluded'] ELSE [] END,
       n {.id, .name, .type, .mention_count, .excluded, .description, aliases: coalesce(n.aliases, [])})]]) AS drawn
UNWIND CASE WHEN size(relationships) = 0 THEN [null] ELSE relationships END AS r
WITH drawn, r, nodes
WITH drawn, r, coalesce(startNode(r), nodes[0]) AS s, endNode(r) AS t
RETURN drawn[s.id] AS source,
       CASE WHEN r IS NOT NULL THEN apoc.create.vRelationship(drawn[s.id],
         CASE WHEN r.excluded OR s.excluded OR t.excluded THEN 'EXCLUDED' WHEN r.loss IS NULL THEN 'UNJUDGED'
              WHEN r.loss >= 1.0 THEN 'LOSS_HIGH' WHEN r.loss >= 0.3 THEN 'LOSS_MID' ELSE 'LOSS_LOW' END,
         r {.id, .description, .keywords, .excluded, loss: round(r.loss, 2)}, drawn[t.id]) END AS relation,
       drawn[t.id] AS target, s.name AS source_name, t.name AS target_name,
       round(r.loss, 2) AS loss, r.description AS description
ORDER BY loss DESC
