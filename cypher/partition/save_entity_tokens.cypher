// Store description token counts of entities, with the text that was counted.
// Parameters: $rows [{id, tokens, description}].
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.description_tokens = row.tokens, e.description_tokens_of = row.description
