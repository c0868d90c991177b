// Mark what `filter` decided: the QA it drops get `filtered = true` with their reasons and
// the rules applied; the QA it keeps lose any earlier mark. Nothing is deleted.
// Parameters: $kept — QA ids; $dropped [{id, reasons}]; $rules — the rules as JSON.
// Returns: kept, dropped (QA updated).
:param kept => []
:param dropped => [{id: 'qa-example', reasons: ['answer_tokens 3 < 8']}]
:param rules => '{"min_answer_tokens": 8}'
CALL () {
  UNWIND $kept AS qa_id
  MATCH (q:QA {id: qa_id})
  REMOVE q.filtered, q.filter_reasons, q.filter_rules, q.filtered_at
  RETURN count(q) AS kept
}
CALL () {
  UNWIND $dropped AS row
  MATCH (q:QA {id: row.id})
  SET q.filtered = true, q.filter_reasons = row.reasons, q.filter_rules = $rules, q.filtered_at = datetime()
  RETURN count(q) AS dropped
}
RETURN kept, dropped
