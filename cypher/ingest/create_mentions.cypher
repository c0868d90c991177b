// Provenance: the chunk mentions the entity, under this name, with this type and description.
// (Created, not merged: a chunk's results are written once, when it leaves 'pending'/'failed'.)
// Parameters: $rows — [{chunk_id, entity_id, name, type, description}]
// Returns: mentions
:param rows => []
UNWIND $rows AS row
MATCH (c:Chunk {id: row.chunk_id}), (e:Entity {id: row.entity_id})
CREATE (c)-[m:MENTIONS]->(e)
SET m.name = row.name, m.type = row.type, m.description = row.description
RETURN count(m) AS mentions
