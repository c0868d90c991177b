// How many accepted pairs wait for `resolve --apply`.
// Parameters: none.   Returns: accepted.
MATCH (:Entity)-[s:SAME_AS {status: 'accepted'}]->(:Entity)
RETURN count(s) AS accepted
