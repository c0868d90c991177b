// How many entities and relations wait for a summary of their descriptions.
// Parameters: none
// Returns: pending
CALL () {
  MATCH (e:Entity) WHERE e.summary_pending RETURN count(e) AS n
  UNION ALL
  MATCH ()-[r:RELATED]->() WHERE r.summary_pending RETURN count(r) AS n
}
RETURN sum(n) AS pending
