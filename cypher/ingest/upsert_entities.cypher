// Create or update entities (the name is set once, when the entity is created).
// Parameters: $rows — [{id, name, props: {type, type_votes, descriptions, description, aliases, mention_count, …}}]
// Returns: rows
:param rows => []
UNWIND $rows AS row
MERGE (e:Entity {id: row.id})
ON CREATE SET e.name = row.name
SET e += row.props
RETURN count(*) AS rows
