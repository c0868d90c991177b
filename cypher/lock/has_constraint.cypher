// Whether the :Lease name constraint exists (`init` makes it; a writer makes it only when it
// is missing, so a user without schema rights can take the lease once `init` ran).
// Parameters: none
// Returns: present
SHOW CONSTRAINTS YIELD name
RETURN 'lease_name' IN collect(name) AS present
