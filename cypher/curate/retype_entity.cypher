// Set an entity's type by hand. Types are stored like extraction stores them (upper case,
// spaces and hyphens as _). `locked` gets 'type': later runs keep counting type votes but
// leave the type alone.
// Parameters: $entity — id or exact name; $type.
// Returns: id, name, old_type, type.
:param entity => null
:param type => null
CALL () {
  MATCH (e:Entity) WHERE e.id = $entity OR e.name = $entity
  RETURN collect(e) AS found
}
CALL apoc.util.validate(size(found) <> 1, 'expected one entity with id or name %s, found %d', [$entity, size(found)])
CALL apoc.util.validate($type IS NULL OR trim($type) = '', 'give the type ($type)', [])
WITH found[0] AS e, found[0].type AS old_type
SET e.type = apoc.text.replace(toUpper(trim($type)), '[\\s\\-]+', '_'),
    e.locked = apoc.coll.toSet(coalesce(e.locked, []) + 'type'),
    e.curated_at = datetime()
RETURN e.id AS id, e.name AS name, old_type, e.type AS type
