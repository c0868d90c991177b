// The QA `graphgen-neo4j filter` excluded from export, with why, and what the faithfulness
// judge said about them; worst-judged first. `filter --reset` brings them all back; to keep
// one QA, `MATCH (q:QA {id: $id}) REMOVE q.filtered, q.filter_reasons` (the next filter run
// decides it again).
// Parameters: $reason — only QA with a reason containing this text (e.g. 'faithfulness',
//   'near duplicate', 'answer_tokens'); null for all. $limit.
// Returns: id, mode, question, answer, reasons, faithfulness, unsupported, judge_reason, judge, loss.
:param reason => null
:param limit => 50
MATCH (q:QA)
WHERE q.filtered = true
  AND ($reason IS NULL OR any(r IN q.filter_reasons WHERE r CONTAINS $reason))
RETURN q.id AS id, q.mode AS mode, q.question AS question, q.answer AS answer, q.filter_reasons AS reasons,
       q.faithfulness AS faithfulness, q.faithfulness_unsupported AS unsupported,
       q.faithfulness_reason AS judge_reason, q.faithfulness_model AS judge, round(q.loss, 3) AS loss
ORDER BY q.faithfulness IS NULL, q.faithfulness, q.id
LIMIT $limit
