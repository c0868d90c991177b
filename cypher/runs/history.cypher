// Runs, newest first.
:param limit => 20
MATCH (r:Run)
RETURN r.id AS id, r.command AS command, r.status AS status, r.started_at AS started_at,
       r.finished_at AS finished_at, r.llm_calls AS llm_calls, r.tokens AS tokens
ORDER BY r.started_at DESC LIMIT $limit
