// Decide on a proposed duplicate pair: accept it (merged by `graphgen-neo4j resolve --apply`,
// or right away with curate/merge_entities), reject it (never proposed again), or put it
// back to proposed. The arrow is (absorb)-[:SAME_AS]->(keep): --apply keeps the entity the
// arrow points to; giving $keep and $absorb here sets that direction. A pair with no
// proposal yet gets one (method 'analyst'). $name (optional) is the display name the survivor
// gets when --apply merges the pair (e.g. the absorbed entity's name); left out, keep's name stays.
// Parameters: $keep, $absorb — ids or exact names; $status — 'accepted', 'rejected' or 'proposed';
//   $name — the survivor's display name, or null.
// Returns: keep, absorb, status, score, method, name.
:param keep => null
:param absorb => null
:param status => 'accepted'
:param name => null
CALL () {
  MATCH (e:Entity) WHERE e.id = $keep OR e.name = $keep
  RETURN collect(e) AS keeps
}
CALL () {
  MATCH (e:Entity) WHERE e.id = $absorb OR e.name = $absorb
  RETURN collect(e) AS absorbs
}
CALL apoc.util.validate(size(keeps) <> 1, 'keep: expected one entity with id or name %s, found %d', [$keep, size(keeps)])
CALL apoc.util.validate(size(absorbs) <> 1, 'absorb: expected one entity with id or name %s, found %d', [$absorb, size(absorbs)])
CALL apoc.util.validate(NOT $status IN ['accepted', 'rejected', 'proposed'],
  'status must be accepted, rejected or proposed, not %s', [coalesce($status, 'null')])
WITH keeps[0] AS keep, absorbs[0] AS absorb
CALL apoc.util.validate(keep = absorb, 'keep and absorb are the same entity (%s)', [keep.id])
OPTIONAL MATCH (keep)-[old:SAME_AS]-(absorb)
WITH keep, absorb, collect(old) AS olds
WITH keep, absorb, olds, apoc.map.merge({score: 1.0, method: 'analyst', proposed_at: datetime()},
                                        coalesce(properties(head(olds)), {})) AS props
FOREACH (old IN olds | DELETE old)
CREATE (absorb)-[s:SAME_AS]->(keep)
SET s = props, s.status = $status, s.reviewed_at = datetime(), s.name = coalesce($name, props.name)
RETURN keep.name AS keep, absorb.name AS absorb, s.status AS status, s.score AS score, s.method AS method, s.name AS name
