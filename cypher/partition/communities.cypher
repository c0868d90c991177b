// A community partition drawn for Browser: the entities of the latest community run with
// the relations inside their community, each entity as a virtual node labelled
// Colour0…ColourF by its community_id (community_id modulo 16), which cypher/style.grass
// colours — so neighbouring communities mostly differ in colour. Nothing is written
// (apoc.create.vNode). To list rather than draw: MATCH (e:Entity) WHERE e.community_id
// IS NOT NULL RETURN e.community_id, collect(e.name) ORDER BY e.community_id.
// Parameters: $limit — most relations drawn; $community — one community_id, or null for all.
// Returns per relation: source, relation, target (virtual), community.
:param limit => 300
:param community => null
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE s.community_id IS NOT NULL AND s.community_id = t.community_id
  AND ($community IS NULL OR s.community_id = $community)
WITH s, r, t ORDER BY s.community_id, r.id LIMIT $limit
WITH collect([s, r, t]) AS rows
WITH rows, apoc.map.fromPairs([e IN apoc.coll.toSet(reduce(all = [], x IN rows | all + [x[0], x[2]])) |
       [e.id, apoc.create.vNode(['Colour' + substring('0123456789ABCDEF', e.community_id % 16, 1)],
                                e {.id, .name, .type, .community_id})]]) AS drawn
UNWIND rows AS row
WITH drawn, row[0] AS s, row[1] AS r, row[2] AS t
RETURN drawn[s.id] AS source, apoc.create.vRelationship(drawn[s.id], 'RELATED', r {.id, .description}, drawn[t.id])
       AS relation, drawn[t.id] AS target, s.community_id AS community
