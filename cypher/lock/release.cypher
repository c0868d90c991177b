// Give the lease back (only the holder's token removes it).
// Parameters: $lease (the lease name), $token
// Returns: released
:param lease => 'graph-writer'
OPTIONAL MATCH (l:Lease {name: $lease, token: $token})
DETACH DELETE l
RETURN count(l) AS released
