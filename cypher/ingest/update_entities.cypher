// Set recomputed properties on entities.
// Parameters: $rows — [{id, props: {…}}]
// Returns: updated
:param rows => []
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e += row.props
RETURN count(e) AS updated
