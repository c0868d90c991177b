// Create or update entities (the name is set once, when the entity is created).
// Parameters: $rows — [{id, name, props: {type, type_votes, descriptions, description, aliases, mention_count, …}}]
// Returns: created
:param rows => []
UNWIND $rows AS row
MERGE (e:Entity {id: row.id})
ON CREATE SET e.name = row.name, e._created = true
SET e += row.props
WITH e, e._created AS created
REMOVE e._created
RETURN count(CASE WHEN created THEN 1 END) AS created
