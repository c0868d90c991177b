// Replace a relation's description with a corrected one. `locked` gets 'description': later
// runs add what new chunks say to `descriptions` but keep this text. The quiz notices the
// changed text and the trainee is asked again on the next assessment.
// Parameters: $relation — a relation id, or null and give $source and $target (ids or exact
//   names, in the relation's direction); $description.
// Returns: id, source, target, old_description, description.
:param relation => null
:param source => null
:param target => null
:param description => null
CALL () {
  MATCH ()-[r:RELATED {id: $relation}]->() RETURN r
  UNION
  MATCH (s:Entity)-[r:RELATED]->(t:Entity)
  WHERE (s.id = $source OR s.name = $source) AND (t.id = $target OR t.name = $target)
  RETURN r
}
WITH collect(r) AS found
CALL apoc.util.validate(size(found) <> 1, 'expected one relation (id %s, or %s -> %s), found %d',
  [coalesce($relation, 'null'), coalesce($source, 'null'), coalesce($target, 'null'), size(found)])
CALL apoc.util.validate($description IS NULL OR trim($description) = '', 'give the description ($description)', [])
WITH found[0] AS r, found[0].description AS old_description
SET r.description = trim($description),
    r.locked = apoc.coll.toSet(coalesce(r.locked, []) + 'description'),
    r.curated_at = datetime()
RETURN r.id AS id, startNode(r).name AS source, endNode(r).name AS target, old_description, r.description AS description
