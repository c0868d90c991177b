// The ids of the relations of the knowledge graph (neither they nor their ends excluded),
// for drawing the sample `report --judge-sample` judges.
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE coalesce(r.excluded, false) = false
  AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
RETURN r.id AS id
