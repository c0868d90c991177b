// Store description token counts of relations, with the text that was counted.
// Parameters: $rows [{id, tokens, description}].
UNWIND $rows AS row
MATCH ()-[r:RELATED {id: row.id}]->()
SET r.description_tokens = row.tokens, r.description_tokens_of = row.description
