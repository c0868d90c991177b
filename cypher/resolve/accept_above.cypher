// Accept every proposed pair scoring at least $threshold (resolve with a threshold set).
// Rejected pairs stay rejected.
// Parameters: $threshold.
// Returns: accepted.
MATCH (:Entity)-[s:SAME_AS {status: 'proposed'}]->(:Entity)
WHERE s.score >= $threshold
SET s.status = 'accepted', s.reviewed_at = datetime(), s.accepted_by = 'threshold'
RETURN count(s) AS accepted
