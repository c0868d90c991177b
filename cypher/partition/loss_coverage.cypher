// How many relations a partition can use, and how many of them have the losses it orders by.
// Parameters: none.
// Returns: relations (usable: neither it nor its entities excluded), excluded, judged (with
//   a loss), judged_with_entities (it and both entities have a loss: loss_strategy 'both').
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WITH r, s, t,
     coalesce(r.excluded, false) OR coalesce(s.excluded, false) OR coalesce(t.excluded, false) AS excluded
RETURN count(CASE WHEN NOT excluded THEN 1 END) AS relations,
       count(CASE WHEN excluded THEN 1 END) AS excluded,
       count(CASE WHEN NOT excluded AND r.loss IS NOT NULL THEN 1 END) AS judged,
       count(CASE WHEN NOT excluded AND r.loss IS NOT NULL AND s.loss IS NOT NULL
                  AND t.loss IS NOT NULL THEN 1 END) AS judged_with_entities
