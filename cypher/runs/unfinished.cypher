// The latest run of a command with the same configuration that did not complete:
// `graphgen-neo4j run` resumes it instead of starting afresh.
:param command => 'run'
:param config_hash => ''
MATCH (r:Run {command: $command, config_hash: $config_hash})
WHERE r.status <> 'completed'
RETURN r.id AS id, r.status AS status, r.started_at AS started_at
ORDER BY r.started_at DESC LIMIT 1
