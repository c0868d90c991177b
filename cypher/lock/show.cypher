// Who holds the write lease of the graph, if anyone.
// Parameters: none
// Returns: name, holder, host, pid, started, idle (seconds since the last heartbeat)
MATCH (l:Lease)
RETURN l.name AS name, l.holder AS holder, l.host AS host, l.pid AS pid, toString(l.started) AS started,
       duration.inSeconds(l.heartbeat, datetime()).seconds AS idle
