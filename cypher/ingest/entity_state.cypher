// The accumulated properties of entities, before new mentions are added.
// Parameters: $ids — entity ids
// Returns: id, type_votes, descriptions, aliases, mention_count, locked (what an analyst fixed)
:param ids => []
UNWIND $ids AS id
MATCH (e:Entity {id: id})
RETURN e.id AS id, e.type_votes AS type_votes, e.descriptions AS descriptions,
       e.aliases AS aliases, e.mention_count AS mention_count, e.locked AS locked
