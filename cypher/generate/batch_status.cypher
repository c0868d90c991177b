// Record how generation went for each batch: `generated` when every unit chosen for it
// has its QA, `failed` when a reply yielded no QA (the reasons in generate_errors).
// Parameters: $run_id, $rows [{batch_id, status, errors, qa_count}].   Returns: updated (count).
:param run_id => 'generate-20260101-000000'
:param rows => [{batch_id: 'batch-1', status: 'generated', errors: [], qa_count: 2}]
UNWIND $rows AS row
MATCH (b:Batch {id: row.batch_id})
SET b.status = row.status, b.generate_errors = row.errors, b.qa_count = row.qa_count,
    b.generated_at = datetime(), b.generate_run_id = $run_id
RETURN count(b) AS updated
