// Take the lease $lease for $token: create it, keep it (same token), or take it over when
// its holder sent no heartbeat for $stale_after seconds (server clock for both sides).
// A holder known to be dead (same host, its pid gone) is named by $dead_token and taken
// over at once.
// Parameters: $lease (the lease name), $token, $holder, $host, $pid, $stale_after (seconds), $dead_token
// Returns: acquired, taken_over, holder, host, pid, started, idle (seconds since the holder's heartbeat), token
:param lease => 'graph-writer'
:param stale_after => 60
:param dead_token => null
MERGE (l:Lease {name: $lease})
ON CREATE SET l.token = $token, l.holder = $holder, l.host = $host, l.pid = $pid,
              l.started = datetime(), l.heartbeat = datetime()
WITH l, l.token = $token AS mine,
     (l.heartbeat < datetime() - duration({seconds: $stale_after}) OR l.token = $dead_token) AS stale,
     {holder: l.holder, host: l.host, pid: l.pid, started: toString(l.started),
      idle: duration.inSeconds(l.heartbeat, datetime()).seconds, token: l.token} AS before
FOREACH (_ IN CASE WHEN NOT mine AND stale THEN [1] ELSE [] END |
  SET l.token = $token, l.holder = $holder, l.host = $host, l.pid = $pid,
      l.started = datetime(), l.heartbeat = datetime(), l.taken_over_from = before.host + ':' + toString(before.pid))
RETURN l.token = $token AS acquired, (NOT mine AND stale) AS taken_over,
       before.holder AS holder, before.host AS host, before.pid AS pid, before.started AS started, before.idle AS idle,
       before.token AS token
