// Coverage of the graph by generated QA: how many (non-excluded) relations at least one
// non-stale QA was generated from, and the mean loss of covered vs uncovered relations.
// Was generation spent where the trainee is weak? (the covered loss should be the higher one)
// Parameters: $run_id — count only QA of this run (created or reused by it: PRODUCED); null for all runs.
:param run_id => null
MATCH (:Entity)-[r:RELATED]->(:Entity)
WHERE coalesce(r.excluded, false) = false
WITH count(r) AS relations, count(r.loss) AS judged, sum(r.loss) AS loss_sum
CALL () {
  OPTIONAL MATCH (q:QA)
  WHERE coalesce(q.stale, false) = false
    AND ($run_id IS NULL OR EXISTS { (:Run {id: $run_id})-[:PRODUCED]->(q) })
  UNWIND coalesce(q.relation_ids, []) AS relation_id
  WITH DISTINCT relation_id
  MATCH ()-[r:RELATED {id: relation_id}]->()
  WHERE coalesce(r.excluded, false) = false
  RETURN count(r) AS covered, count(r.loss) AS judged_covered, sum(r.loss) AS covered_loss_sum
}
RETURN relations, covered, judged,
       CASE WHEN judged_covered > 0 THEN covered_loss_sum / judged_covered END AS mean_loss_covered,
       CASE WHEN judged - judged_covered > 0
            THEN (loss_sum - covered_loss_sum) / (judged - judged_covered) END AS mean_loss_uncovered
