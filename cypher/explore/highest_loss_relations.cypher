// The relations the trainee understands least (its blind spots), highest loss first, drawn
// like explore/neighbourhood: entities labelled by type, relations typed by loss band.
// Excluded relations, and relations of excluded entities, are left out.
// Each entity also carries a label Colour0…ColourF (from a hash of its type): the style
// colours a type it has no rule for by it, so every type present has a colour.
// Parameters: $limit; $model — the trainee model whose loss counts (null: any).
// Returns per relation: source, relation, target (virtual), source_name, target_name, loss, description, model.
:param limit => 15
:param model => null
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE r.loss IS NOT NULL AND ($model IS NULL OR r.loss_model = $model)
  AND coalesce(r.excluded, false) = false
  AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
WITH s, r, t ORDER BY r.loss DESC, r.id LIMIT $limit
WITH collect({s: s, r: r, t: t}) AS rows
WITH rows, apoc.coll.toSet([row IN rows | row.s] + [row IN rows | row.t]) AS nodes
WITH rows, apoc.map.fromPairs([n IN nodes | [n.id, apoc.create.vNode(
       [coalesce(n.type, 'UNKNOWN'), 'Colour' + toUpper(left(apoc.util.md5([coalesce(n.type, 'UNKNOWN')]), 1))],
       n {.id, .name, .type, .mention_count, .description, aliases: coalesce(n.aliases, [])})]]) AS drawn
UNWIND rows AS row
WITH drawn, row.s AS s, row.r AS r, row.t AS t
RETURN drawn[s.id] AS source,
       apoc.create.vRelationship(drawn[s.id],
         CASE WHEN r.loss >= 1.0 THEN 'LOSS_HIGH' WHEN r.loss >= 0.3 THEN 'LOSS_MID' ELSE 'LOSS_LOW' END,
         r {.id, .description, .keywords, loss: round(r.loss, 2)}, drawn[t.id]) AS relation,
       drawn[t.id] AS target, s.name AS source_name, t.name AS target_name,
       round(r.loss, 2) AS loss, r.description AS description, r.loss_model AS model
ORDER BY r.loss DESC, r.id
