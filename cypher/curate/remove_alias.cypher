// Remove a name from an entity: its :Alias node goes, and every spelling with the same key
// leaves the entity's `aliases` list. Later mentions of that name no longer land on this
// entity (a new entity is made for them). The entity's own name cannot be removed: rename it.
// Parameters: $entity — id or exact name; $alias — the name; $alias_key — normalize_key($alias),
//   or null to compute it here (see curate/add_alias.cypher for the one limitation).
// Returns: entity, removed (the alias name), key, aliases (the list left).
:param entity => null
:param alias => null
:param alias_key => null
CALL () {
  MATCH (e:Entity) WHERE e.id = $entity OR e.name = $entity
  RETURN collect(e) AS found
}
CALL apoc.util.validate(size(found) <> 1, 'expected one entity with id or name %s, found %d', [$entity, size(found)])
WITH found[0] AS e,
     coalesce($alias_key, btrim(apoc.text.replace(toLower(normalize($alias, NFKC)), '(?U)\\s+', ' '),
                                ' "\'`“”‘’「」『』《》〈〉«»＂＇')) AS key
OPTIONAL MATCH (a:Alias {key: key})-[:ALIAS_OF]->(e)
CALL apoc.util.validate(a IS NULL, 'entity %s has no alias %s', [e.name, $alias])
CALL apoc.util.validate(a.source = 'name' OR a.name = e.name,
  '%s is the name of the entity: rename it first (curate/rename_entity)', [$alias])
WITH e, key, a, a.name AS removed
DETACH DELETE a
SET e.aliases = [n IN coalesce(e.aliases, []) WHERE n <> $alias AND n <> removed
                 AND btrim(apoc.text.replace(toLower(normalize(n, NFKC)), '(?U)\\s+', ' '),
                           ' "\'`“”‘’「」『』《》〈〉«»＂＇') <> key]
RETURN e.name AS entity, removed, key, e.aliases AS aliases
