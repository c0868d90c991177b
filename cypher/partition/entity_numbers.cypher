// What partition needs to know of every entity a batch may hold (not excluded): its id,
// description tokens and loss — numbers only, no text and no relations (those are fetched
// wave by wave, see frontier_relations.cypher).
// Parameters: none.
// Returns one row of four aligned lists: keys (elementId), ids, tokens (-1 when not counted),
//   losses (-1 when not judged).
MATCH (e:Entity)
WHERE coalesce(e.excluded, false) = false
RETURN collect(elementId(e)) AS keys, collect(e.id) AS ids,
       collect(coalesce(e.description_tokens, -1)) AS tokens, collect(coalesce(e.loss, -1.0)) AS losses
