// Add a name an entity goes by: an :Alias {key, name, source: 'analyst'} routed to it, and the
// name in its `aliases` list. Later runs send every mention of that name to this entity.
// A name that already routes to another entity is not taken from it: the query stops with an
// error naming that entity (merge the two with curate/merge_entities instead).
// Parameters: $entity — id (ent-…) or exact name; $alias — the name to add,
//   $alias_key — graphgen_neo4j.ids.normalize_key($alias). `graphgen-neo4j cypher` fills it in.
//   In Browser set it to null and the key is computed here (NFKC, lower-cased, white space
//   collapsed, quotes trimmed): the same key except for the few letters whose Unicode case
//   folding differs from lower case (German ß, final sigma ς) — pass the key for such names.
// Returns: entity, alias, key, status ('added', or 'already' when the name routed here before).
:param entity => null
:param alias => null
:param alias_key => null
CALL () {
  MATCH (e:Entity) WHERE e.id = $entity OR e.name = $entity
  RETURN collect(e) AS found
}
CALL apoc.util.validate(size(found) <> 1, 'expected one entity with id or name %s, found %d', [$entity, size(found)])
CALL apoc.util.validate($alias IS NULL OR trim($alias) = '', 'give the alias to add ($alias)', [])
WITH found[0] AS e,
     coalesce($alias_key, btrim(apoc.text.replace(toLower(normalize($alias, NFKC)), '(?U)\\s+', ' '),
                                ' "\'`“”‘’「」『』《》〈〉«»＂＇')) AS key
OPTIONAL MATCH (known:Alias {key: key})-[:ALIAS_OF]->(owner:Entity)
WITH e, key, owner
CALL apoc.util.validate(owner IS NOT NULL AND owner <> e,
  'the name %s already routes to entity %s (%s): merge the two entities instead', [$alias, owner.name, owner.id])
WITH e, key, owner IS NOT NULL AS already
MERGE (a:Alias {key: key})
ON CREATE SET a.name = trim($alias), a.source = 'analyst', a.created_at = datetime()
MERGE (a)-[:ALIAS_OF]->(e)
SET e.aliases = CASE WHEN already OR $alias = e.name OR $alias IN coalesce(e.aliases, []) THEN e.aliases
                     ELSE coalesce(e.aliases, []) + trim($alias) END
RETURN e.name AS entity, $alias AS alias, key, CASE WHEN already THEN 'already' ELSE 'added' END AS status
