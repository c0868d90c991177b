// Provenance: the chunk mentions the entity, under this name, with this type and description.
// (Created, not merged: a chunk's results are written once, when it leaves 'pending'/'failed'.)
// Parameters: $chunks — [{chunk_id, mentions: [{entity_id, name, type, description}]}]
// Returns: mentions
:param chunks => []
UNWIND $chunks AS row
MATCH (c:Chunk {id: row.chunk_id})
UNWIND row.mentions AS mention
MATCH (e:Entity {id: mention.entity_id})
CREATE (c)-[m:MENTIONS]->(e)
SET m.name = mention.name, m.type = mention.type, m.description = mention.description
RETURN count(m) AS mentions
