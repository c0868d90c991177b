// How many entities and relations wait for a summary of their descriptions.
// Parameters: none
// Returns: pending
CALL () {
  MATCH (e:Entity) WHERE e.summary_pending AND NOT coalesce(e.excluded, false) RETURN count(e) AS n
  UNION ALL
  MATCH (s:Entity)-[r:RELATED]->(t:Entity)
  WHERE r.summary_pending AND NOT coalesce(r.excluded, false)
    AND NOT coalesce(s.excluded, false) AND NOT coalesce(t.excluded, false)
  RETURN count(r) AS n
}
RETURN sum(n) AS pending
