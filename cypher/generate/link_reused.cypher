// QA that an earlier (possibly interrupted) generate already produced for units this run
// selected: link them to this run too, so the run's dataset is complete.
// Parameters: $run_id, $qa_ids.   Returns: linked (count).
:param run_id => 'generate-20260101-000000'
:param qa_ids => []
MERGE (run:Run {id: $run_id})
WITH run
UNWIND $qa_ids AS qa_id
MATCH (q:QA {id: qa_id})
MERGE (run)-[:PRODUCED]->(q)
RETURN count(q) AS linked
