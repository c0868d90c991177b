// Rename an entity. Its id stays; the old name stays as an alias (source 'analyst'), so later
// mentions of either name land here; `locked` gets 'name' so later runs keep the new name.
// Stops with an error when the new name already routes to another entity (merge instead).
// Parameters: $entity — id or exact name; $new_name; $new_name_key — normalize_key($new_name),
//   or null to compute it here (see curate/add_alias.cypher for the one limitation).
// Returns: id, old_name, name, aliases.
:param entity => null
:param new_name => null
:param new_name_key => null
CALL () {
  MATCH (e:Entity) WHERE e.id = $entity OR e.name = $entity
  RETURN collect(e) AS found
}
CALL apoc.util.validate(size(found) <> 1, 'expected one entity with id or name %s, found %d', [$entity, size(found)])
CALL apoc.util.validate($new_name IS NULL OR trim($new_name) = '', 'give the new name ($new_name)', [])
WITH found[0] AS e,
     coalesce($new_name_key, btrim(apoc.text.replace(toLower(normalize($new_name, NFKC)), '(?U)\\s+', ' '),
                                   ' "\'`“”‘’「」『』《》〈〉«»＂＇')) AS key
OPTIONAL MATCH (:Alias {key: key})-[:ALIAS_OF]->(owner:Entity)
CALL apoc.util.validate(owner IS NOT NULL AND owner <> e,
  'the name %s already routes to entity %s (%s): merge the two entities instead', [$new_name, owner.name, owner.id])
WITH e, key, e.name AS old_name
OPTIONAL MATCH (old:Alias)-[:ALIAS_OF]->(e) WHERE old.source = 'name'
WITH e, key, old_name, collect(old) AS olds
FOREACH (old IN olds | SET old.source = 'analyst')
MERGE (a:Alias {key: key})
SET a.name = $new_name, a.source = 'name'
MERGE (a)-[:ALIAS_OF]->(e)
WITH e, old_name, [old IN olds WHERE old.key <> key | old_name] AS kept_old_name
SET e.name = $new_name,
    e.aliases = apoc.coll.toSet([n IN coalesce(e.aliases, []) + kept_old_name WHERE n <> $new_name]),
    e.locked = apoc.coll.toSet(coalesce(e.locked, []) + 'name'),
    e.curated_at = datetime()
RETURN e.id AS id, old_name, e.name AS name, e.aliases AS aliases
