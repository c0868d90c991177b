// Which of these batch ids exist already.
// Parameters: $ids.   Returns: id.
UNWIND $ids AS id
MATCH (b:Batch {id: id})
RETURN b.id AS id
