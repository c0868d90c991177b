// The QA `filter` decides on: not stale, of one run (created or reused by it) or of every
// run, with the figures its rules read.
// Parameters: $run_id (or null for every run).
// Returns: id, question, answer, mode, loss (of its batch), faithfulness (0-1, or null when
//   not judged), filtered (excluded by the last filter run).
:param run_id => null
MATCH (q:QA)
WHERE coalesce(q.stale, false) = false
  AND ($run_id IS NULL OR EXISTS { (:Run {id: $run_id})-[:PRODUCED]->(q) })
RETURN q.id AS id, q.question AS question, q.answer AS answer, q.mode AS mode, q.loss AS loss,
       q.faithfulness AS faithfulness, coalesce(q.filtered, false) AS filtered
ORDER BY q.id
