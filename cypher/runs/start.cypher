// Record the start of a command run (or re-open an unfinished one being resumed).
// Parameters: $id, $command, $config_hash, $config_json (secrets masked), $versions_json
:param id => 'run-20261125-220000-ab12'
MERGE (r:Run {id: $id})
ON CREATE SET r.started_at = datetime(), r.command = $command, r.config_hash = $config_hash,
              r.config_json = $config_json, r.versions_json = $versions_json, r.attempts = 0
SET r.status = 'running', r.attempts = r.attempts + 1, r.resumed_at = datetime()
RETURN r.id AS id, r.attempts AS attempts
