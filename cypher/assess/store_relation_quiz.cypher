// Store the quiz statements written for relations. New statements make the relation's
// current loss meaningless (it was measured on other statements), so it is removed;
// the Judgement history keeps it.
// Parameters: $rows — list of {id, statements, labels, source_hash, samples}.
:param rows => [{id: 'rel-…', statements: ['A controls B.', 'It is not true that A controls B.'], labels: [true, false], source_hash: '…', samples: 1}]
UNWIND $rows AS row
MATCH ()-[r:RELATED {id: row.id}]->()
SET r.quiz_statements = row.statements, r.quiz_labels = row.labels,
    r.quiz_source_hash = row.source_hash, r.quiz_samples = row.samples, r.quizzed_at = datetime()
REMOVE r.loss, r.loss_model, r.loss_confidence, r.loss_statements, r.loss_p_yes, r.loss_p_no, r.judged_at
RETURN count(r) AS stored
