// Set recomputed properties on relations.
// Parameters: $rows — [{id, props: {…}}]
// Returns: updated
:param rows => []
UNWIND $rows AS row
MATCH ()-[r:RELATED {id: row.id}]->()
SET r += row.props
RETURN count(r) AS updated
