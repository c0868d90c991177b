// Store the LLM-judged faithfulness of QA (`report --qa-judge-sample`, `filter`): the score
// (1-5), its 0-1 form, the unsupported claims, the judge's reason and which model judged.
// Parameters: $model — the judge model; $rows [{id, score, faithfulness, unsupported, reason}].
// Returns: stored (QA updated).
:param model => 'judge-model'
:param rows => [{id: 'qa-example', score: 5, faithfulness: 1.0, unsupported: [], reason: 'every claim is in the facts'}]
UNWIND $rows AS row
MATCH (q:QA {id: row.id})
SET q.faithfulness = row.faithfulness, q.faithfulness_score = row.score,
    q.faithfulness_unsupported = row.unsupported, q.faithfulness_reason = row.reason,
    q.faithfulness_model = $model, q.faithfulness_at = datetime()
RETURN count(q) AS stored
