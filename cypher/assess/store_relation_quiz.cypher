// Store the quiz statements written for relations. New statements make the relation's
// current loss meaningless (it was measured on other statements), so it is removed;
// the Judgement history keeps it.
// Parameters: $rows — list of {id, statements, labels, sources, source_hash, samples}; sources say
// where each statement came from: description, model, negate (asked for alone) or template.
:param rows => [{id: 'rel-…', statements: ['A controls B.', 'It is not true that A controls B.'], labels: [true, false], sources: ['description', 'template'], source_hash: '…', samples: 1}]
UNWIND $rows AS row
MATCH ()-[r:RELATED {id: row.id}]->()
SET r.quiz_statements = row.statements, r.quiz_labels = row.labels, r.quiz_sources = row.sources,
    r.quiz_source_hash = row.source_hash, r.quiz_samples = row.samples, r.quizzed_at = datetime()
REMOVE r.loss, r.loss_model, r.loss_confidence, r.loss_statements, r.loss_p_yes, r.loss_p_no, r.judged_at
RETURN count(r) AS stored
