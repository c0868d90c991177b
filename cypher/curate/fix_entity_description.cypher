// Replace an entity's description with a corrected one. `locked` gets 'description': later
// runs add what new chunks say to `descriptions` but keep this text as the description.
// The quiz notices the changed text and asks the trainee again on the next assessment.
// Parameters: $entity — id or exact name; $description.
// Returns: id, name, old_description, description.
:param entity => null
:param description => null
CALL () {
  MATCH (e:Entity) WHERE e.id = $entity OR e.name = $entity
  RETURN collect(e) AS found
}
CALL apoc.util.validate(size(found) <> 1, 'expected one entity with id or name %s, found %d', [$entity, size(found)])
CALL apoc.util.validate($description IS NULL OR trim($description) = '', 'give the description ($description)', [])
WITH found[0] AS e, found[0].description AS old_description
SET e.description = trim($description),
    e.locked = apoc.coll.toSet(coalesce(e.locked, []) + 'description'),
    e.curated_at = datetime()
RETURN e.id AS id, e.name AS name, old_description, e.description AS description
