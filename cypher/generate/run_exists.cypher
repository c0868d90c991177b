// Whether a run id is known (to tell a typo from a run that produced nothing).
// Parameters: $run_id.   Returns one row when the run exists.
:param run_id => 'generate-20260101-000000'
MATCH (run:Run {id: $run_id})
RETURN run.id AS run_id
