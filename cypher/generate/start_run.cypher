// The Run a generate invocation records its QA under; created minimal if none exists
// (the run record fills in the rest). A resumed run keeps its start time.
// Parameters: $run_id, $partition_run_id, $config (JSON text).   Returns: run_id, started_at.
:param run_id => 'generate-20260101-000000'
:param partition_run_id => 'partition-20260101-000000'
:param config => '{}'
MERGE (run:Run {id: $run_id})
ON CREATE SET run.command = 'generate', run.started_at = datetime(), run.status = 'running', run.created_by = 'generate'
SET run.generate_partition_run_id = $partition_run_id, run.generate_config = $config
RETURN run.id AS run_id, run.started_at AS started_at
