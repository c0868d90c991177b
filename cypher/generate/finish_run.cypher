// Close a generate Run: its outcome and QA counts (a run that `generate` did not create
// keeps its own status, which the run record manages).
// Parameters: $run_id, $status ('completed' | 'failed' | 'interrupted'), $counts (map).
// Returns: run_id.
:param run_id => 'generate-20260101-000000'
:param status => 'completed'
:param counts => {qa: 0, new_qa: 0, no_qa: 0}
MATCH (run:Run {id: $run_id})
SET run.generate_finished_at = datetime(), run.generate_status = $status,
    run.generate_qa = $counts.qa, run.generate_new_qa = $counts.new_qa, run.generate_no_qa = $counts.no_qa
FOREACH (_ IN CASE WHEN run.created_by = 'generate' THEN [1] ELSE [] END |
  SET run.status = $status, run.finished_at = datetime())
RETURN run.id AS run_id
