// Drop label propagation's working labels (community_label, community_next) from every
// entity: before a community run starts, and when it is done.
// Parameters: none.   Returns: cleared.
MATCH (e:Entity)
WHERE e.community_label IS NOT NULL OR e.community_next IS NOT NULL
REMOVE e.community_label, e.community_next
RETURN count(*) AS cleared
