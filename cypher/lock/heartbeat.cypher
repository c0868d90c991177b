// The holder's heartbeat: refresh the lease while this token still holds it.
// Parameters: $lease (the lease name), $token
// Returns: held (0 when the lease was taken over or removed)
:param lease => 'graph-writer'
OPTIONAL MATCH (l:Lease {name: $lease, token: $token})
SET l.heartbeat = datetime()
RETURN count(l) AS held
