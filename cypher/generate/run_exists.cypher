// Whether a run id is known (to tell a typo from a run that produced nothing).
// Parameters: $run_id.   Returns: run_id (one row when the run exists, none otherwise).
:param run_id => 'generate-20260101-000000'
MATCH (run:Run {id: $run_id})
RETURN run.id AS run_id
